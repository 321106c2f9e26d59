package iostreams

// ColorScheme paints text with ANSI colours when colour is enabled, and returns it unchanged
// otherwise (NO_COLOR, CI=true, TERM=dumb, output not a terminal).
type ColorScheme struct {
	enabled bool
}

// NewColorScheme is a scheme that paints only when enabled.
func NewColorScheme(enabled bool) *ColorScheme { return &ColorScheme{enabled: enabled} }

// ColorScheme follows ColorEnabled.
func (s *IOStreams) ColorScheme() *ColorScheme { return NewColorScheme(s.colorEnabled) }

// Enabled reports whether the scheme paints.
func (c *ColorScheme) Enabled() bool { return c.enabled }

func (c *ColorScheme) paint(code, t string) string {
	if !c.enabled || t == "" {
		return t
	}
	return "\x1b[" + code + "m" + t + "\x1b[0m"
}

func (c *ColorScheme) Bold(t string) string   { return c.paint("1", t) }
func (c *ColorScheme) Red(t string) string    { return c.paint("31", t) }
func (c *ColorScheme) Green(t string) string  { return c.paint("32", t) }
func (c *ColorScheme) Yellow(t string) string { return c.paint("33", t) }
func (c *ColorScheme) Cyan(t string) string   { return c.paint("36", t) }
func (c *ColorScheme) Gray(t string) string   { return c.paint("90", t) }

// The status marks every command prints (doctor, verify, plan and apply progress), one set:
// ✓ passed or done, ! warning, ✗ failed, - skipped, ~ change pending, · only read,
// ☑ confirmed by an operator (not observed), ☐ an operator step to do (doctor and apply alike).
const (
	MarkConfirmed = "☑"
	MarkTodo      = "☐"
	MarkSuccess   = "✓"
	MarkWarning   = "!"
	MarkFailure   = "✗"
	MarkSkip      = "-"
	MarkPending   = "~"
	MarkInfo      = "·"
)

func (c *ColorScheme) SuccessIcon() string   { return c.Green(MarkSuccess) }
func (c *ColorScheme) WarningIcon() string   { return c.Yellow(MarkWarning) }
func (c *ColorScheme) FailureIcon() string   { return c.Red(MarkFailure) }
func (c *ColorScheme) SkipIcon() string      { return c.Gray(MarkSkip) }
func (c *ColorScheme) PendingIcon() string   { return c.Yellow(MarkPending) }
func (c *ColorScheme) InfoIcon() string      { return c.Gray(MarkInfo) }
func (c *ColorScheme) ConfirmedIcon() string { return c.Cyan(MarkConfirmed) }
func (c *ColorScheme) TodoIcon() string      { return c.Yellow(MarkTodo) }
