package iostreams

// Test-only switches: force what the constructor detects.

func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

func (s *IOStreams) SetCI(ci bool) {
	s.ci = ci
	if ci {
		s.colorEnabled = false
	}
}

func (s *IOStreams) SetColorEnabled(on bool) { s.colorEnabled = on }

func (s *IOStreams) StartProgress(label string) func(final string) { return s.StartSpinner(label).Stop }

func (p *ProgressBar) Current() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}
