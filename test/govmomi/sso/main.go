// The SAML single sign-on flow with govmomi's own packages: find the STS through the lookup
// service, Issue a bearer token with a user name and password, log in to the /rest dialect with it
// (rest.Client.LoginByToken and govmomi's signer), read the session, log out.
//
// Usage: go run main.go URL USER PASSWORD CA_FILE
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/lookup"
	"github.com/vmware/govmomi/lookup/types"
	"github.com/vmware/govmomi/sts"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: main URL USER PASSWORD CA_FILE")
	}
	endpoint, err := url.Parse(os.Args[1])
	if err != nil {
		fail("url: %v", err)
	}
	user, password, caFile := os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()

	sc := soap.NewClient(endpoint, false)
	if err := sc.SetRootCAs(caFile); err != nil {
		fail("trusting %s: %v", caFile, err)
	}
	vc := &vim25.Client{Client: sc}

	lu, err := lookup.NewClient(ctx, vc)
	if err != nil {
		fail("lookup service: %v", err)
	}
	found, err := lu.List(ctx, &types.LookupServiceRegistrationFilter{
		ServiceType:  &types.LookupServiceRegistrationServiceType{Product: "com.vmware.cis", Type: "cs.identity"},
		EndpointType: &types.LookupServiceRegistrationEndpointType{Protocol: "wsTrust", Type: "com.vmware.cis.cs.identity.sso"},
	})
	if err != nil || len(found) != 1 || !strings.HasSuffix(found[0].ServiceEndpoints[0].Url, "/sts/STSService/vsphere.local") {
		fail("STS registration: %+v %v", found, err)
	}
	fmt.Println("ok lookup")

	stsClient, err := sts.NewClient(ctx, vc)
	if err != nil {
		fail("sts client: %v", err)
	}
	signer, err := stsClient.Issue(ctx, sts.TokenRequest{
		Userinfo:    url.UserPassword(user, password),
		Lifetime:    10 * time.Minute,
		Delegatable: true,
	})
	if err != nil || signer.Token == "" {
		fail("issue: %v", err)
	}
	fmt.Println("ok issue bearer")

	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password+"-wrong"), Lifetime: time.Minute}); err == nil {
		fail("a wrong password got a token")
	}
	fmt.Println("ok wrong password refused")

	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, signer)); err != nil {
		fail("login by token: %v", err)
	}
	s, err := c.Session(ctx)
	if err != nil || s == nil || !strings.EqualFold(s.User, user) {
		fail("session: %+v %v", s, err)
	}
	fmt.Printf("ok session %s\n", s.User)
	if err := c.Logout(ctx); err != nil {
		fail("logout: %v", err)
	}
	fmt.Println("ok logout")
}
