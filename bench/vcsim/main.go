// vcsim, govmomi's vCenter simulator, with its vAPI endpoints, over plain HTTP on 127.0.0.1: the
// peer that `npm run bench` compares the authenticated session GET with. Built in GOPATH mode
// against Debian's golang-github-vmware-govmomi-dev (bench/vcsim.mjs does it and caches the binary).
//
// Prints "Server listening at http://127.0.0.1:PORT" and serves until SIGTERM or SIGINT.
package main

import (
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator" // registers /rest (com.vmware.cis.session and the rest)
)

func main() {
	model := simulator.VPX()
	defer model.Remove()
	if err := model.Create(); err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		os.Exit(1)
	}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0"}
	model.Service.RegisterEndpoints = true
	server := model.Service.NewServer()
	defer server.Close()
	fmt.Printf("Server listening at http://%s\n", server.URL.Host)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
