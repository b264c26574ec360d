// A conformance check of the legacy /rest dialect with govmomi's own REST client (vapi/rest):
// log in, read the session, log out, see the old id refused, and see a wrong password refused.
//
// Usage: go run main.go URL USER PASSWORD CA_FILE
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/vmware/govmomi/vapi/rest"

	"govmomitest"
)

func client(endpoint *url.URL, caFile string) *rest.Client {
	return rest.NewClient(govmomitest.Client(endpoint, caFile))
}

func main() {
	if len(os.Args) != 5 {
		govmomitest.Fail("usage: main URL USER PASSWORD CA_FILE")
	}
	endpoint, err := url.Parse(os.Args[1])
	if err != nil {
		govmomitest.Fail("url: %v", err)
	}
	user, password, caFile := os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()

	c := client(endpoint, caFile)
	if err := c.Login(ctx, url.UserPassword(user, password)); err != nil {
		govmomitest.Fail("login: %v", err)
	}
	id := c.SessionID()
	if len(id) != 32 {
		govmomitest.Fail("session id %q is not 32 characters", id)
	}
	fmt.Println("ok login")

	s, err := c.Session(ctx)
	if err != nil || s == nil {
		govmomitest.Fail("session: %v %v", s, err)
	}
	if !strings.EqualFold(s.User, user) || !strings.HasSuffix(s.User, "@VSPHERE.LOCAL") || s.Created.IsZero() || s.LastAccessed.Before(s.Created) {
		govmomitest.Fail("session info: %+v", s)
	}
	fmt.Printf("ok session %s\n", s.User)

	if err := c.Logout(ctx); err != nil {
		govmomitest.Fail("logout: %v", err)
	}
	fmt.Println("ok logout")

	old := client(endpoint, caFile)
	old.SessionID(id)
	if s, err := old.Session(ctx); err != nil || s != nil {
		govmomitest.Fail("the logged-out id still works: %v %v", s, err)
	}
	fmt.Println("ok old id refused")

	wrong := client(endpoint, caFile)
	err = wrong.Login(ctx, url.UserPassword(user, password+"-wrong"))
	if err == nil || !strings.Contains(err.Error(), "401") {
		govmomitest.Fail("a wrong password was not refused with 401: %v", err)
	}
	fmt.Println("ok wrong password refused")
}
