package grpcrealm

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
)

func TestZZServe(t *testing.T) {
	if os.Getenv("ZZSERVE") == "" { t.Skip() }
	srv := grpctest.Start(t, grpctest.Options{StripSourceInfo: os.Getenv("ZZSTRIP") != ""})
	os.WriteFile("/tmp/zzaddr", []byte(srv.Addr), 0o644)
	fmt.Println(srv.Addr)
	time.Sleep(120 * time.Second)
}
