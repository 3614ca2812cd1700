package mailerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestAsKeepsCodeThroughWrapping(t *testing.T) {
	err := fmt.Errorf("rcpt: %w", ErrNoSuchUser)
	e := As(err)
	if e.Code != 550 || e.Enhanced != "5.1.1" || e.Temporary() {
		t.Fatalf("As(wrapped 5.1.1) = %+v", e)
	}
}

func TestAsUnknownIsTemporary(t *testing.T) {
	cause := errors.New("disk full")
	e := As(cause)
	if e.Code != 451 || e.Enhanced != "4.3.0" || !e.Temporary() || !errors.Is(e, cause) {
		t.Fatalf("As(plain) = %+v", e)
	}
}
