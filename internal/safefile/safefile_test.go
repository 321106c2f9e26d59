//go:build unix

// These tests make FIFOs, read /dev and /proc and check Unix permission bits.

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	fifo := filepath.Join(dir, "fifo")
	link := filepath.Join(dir, "link")
	os.WriteFile(small, []byte("s3cret\n"), 0o600)
	os.WriteFile(big, make([]byte, 2048), 0o600)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink(small, link)
	for _, tt := range []struct {
		name, path string
		limit      int64
		want       string
		err        error
	}{
		{"regular", small, 1024, "s3cret\n", nil},
		{"symlink to regular", link, 1024, "s3cret\n", nil},
		{"over the cap", big, 1024, "", ErrTooLarge},
		{"exactly the cap", big, 2048, strings.Repeat("\x00", 2048), nil},
		{"fifo does not block", fifo, 1024, "", ErrNotRegular},
		{"device", "/dev/zero", 1024, "", ErrNotRegular},
		{"proc", "/proc/self/environ", 1 << 20, "", ErrNotRegular},
		{"directory", dir, 1024, "", ErrNotRegular},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var b []byte
			var err error
			go func() { b, err = Read(tt.path, tt.limit); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Read blocked")
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if !strings.Contains(err.Error(), tt.path) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil || string(b) != tt.want {
				t.Fatalf("got %q, %v", b, err)
			}
		})
	}
}

func TestCheckSinkDir(t *testing.T) {
	priv := t.TempDir()
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if err := CheckSinkDir(priv); err != nil {
		t.Errorf("private dir refused: %v", err)
	}
	if err := CheckSinkDir(filepath.Join(priv, "missing")); err != nil {
		t.Errorf("missing dir refused: %v", err)
	}
	if err := CheckSinkDir(open); err == nil || !strings.Contains(err.Error(), "writable by every user") {
		t.Errorf("world-writable dir: %v", err)
	}
}
