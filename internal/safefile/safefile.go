// Package safefile reads the files flowsctl trusts with secrets and settings: configs, secret
// files and CA bundles. Each is read only when it is a regular file (not a FIFO that would
// block forever, a device such as /dev/zero that never ends, or a /proc or /sys file that
// exposes another process's memory or environment), and only up to a size cap.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Size caps for the kinds of file flowsctl reads.
const (
	MaxSecret = 64 << 10 // a secret, token or private key
	MaxCA     = 1 << 20  // a PEM CA bundle
	MaxConfig = 4 << 20  // flowsctl.yaml
)

// ErrNotRegular is returned for anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for a file over its cap.
var ErrTooLarge = errors.New("file too large")

// pseudo are the trees whose "regular" files are views of the kernel or of processes.
var pseudo = []string{"/proc", "/sys", "/dev"}

// Read returns the content of path when it is a regular file of at most limit bytes. The open
// does not block on a FIFO, and the type is checked on the open file, so a swap between the
// check and the read cannot smuggle in a special file.
func Read(path string, limit int64) ([]byte, error) {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			for _, root := range pseudo {
				if abs == root || strings.HasPrefix(abs, root+"/") {
					return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %s is a kernel or device file", ErrNotRegular, abs)}
				}
			}
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Describe(st.Mode()))}
	}
	if st.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, st.Size(), limit)}
	}
	// Sized from Stat, with one spare byte: one read fills it, and a file that grew after
	// Stat still ends at the cap (a CA bundle read through io.ReadAll was copied eight times).
	b := make([]byte, 0, st.Size()+1)
	for int64(len(b)) <= limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):min(int64(cap(b)), limit+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	return b, nil
}

// Describe names a file type for error messages.
func Describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// CheckSinkDir refuses a folder that other users may write to: anyone who can write there can
// swap the secret file flowsctl writes, or plant one it reads. A sticky folder such as /tmp is
// refused too: the file name is predictable.
func CheckSinkDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // created 0700 by the writer
		}
		return err
	}
	if st.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("folder %s is writable by every user (mode %04o): another user could replace or read the secret; use a private folder (chmod 700 %s, or a sink under your home)", dir, st.Mode().Perm(), dir)
	}
	return nil
}
