// The SAML single sign-on flow with govmomi's own packages: find the STS through the lookup
// service, Issue a bearer token and a holder-of-key token with a user name and password, log in to
// the /rest dialect with each (rest.Client.LoginByToken and govmomi's signer), read the session,
// log out.
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

	"govmomitest"
)

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

	vc := govmomitest.Client(endpoint, caFile)

	lu, err := lookup.NewClient(ctx, vc)
	if err != nil {
		govmomitest.Fail("lookup service: %v", err)
	}
	found, err := lu.List(ctx, &types.LookupServiceRegistrationFilter{
		ServiceType:  &types.LookupServiceRegistrationServiceType{Product: "com.vmware.cis", Type: "cs.identity"},
		EndpointType: &types.LookupServiceRegistrationEndpointType{Protocol: "wsTrust", Type: "com.vmware.cis.cs.identity.sso"},
	})
	if err != nil || len(found) != 1 || !strings.HasSuffix(found[0].ServiceEndpoints[0].Url, "/sts/STSService/vsphere.local") {
		govmomitest.Fail("STS registration: %+v %v", found, err)
	}
	fmt.Println("ok lookup")

	stsClient, err := sts.NewClient(ctx, vc)
	if err != nil {
		govmomitest.Fail("sts client: %v", err)
	}
	signer, err := stsClient.Issue(ctx, sts.TokenRequest{
		Userinfo:    url.UserPassword(user, password),
		Lifetime:    10 * time.Minute,
		Delegatable: true,
	})
	if err != nil || signer.Token == "" {
		govmomitest.Fail("issue: %v", err)
	}
	fmt.Println("ok issue bearer")

	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password+"-wrong"), Lifetime: time.Minute}); err == nil {
		govmomitest.Fail("a wrong password got a token")
	}
	fmt.Println("ok wrong password refused")

	govmomitest.LoginWith(ctx, vc, signer, user, "bearer")

	hok, err := stsClient.Issue(ctx, sts.TokenRequest{
		Userinfo:    url.UserPassword(user, password),
		Certificate: govmomitest.KeyPair("govmomi-holder"),
		Lifetime:    10 * time.Minute,
		Delegatable: true,
		Renewable:   true,
	})
	if err != nil || !strings.Contains(hok.Token, "holder-of-key") {
		govmomitest.Fail("issue holder-of-key: %v", err)
	}
	fmt.Println("ok issue holder-of-key")
	govmomitest.LoginWith(ctx, vc, hok, user, "holder-of-key")

	renewed, err := stsClient.Renew(ctx, sts.TokenRequest{Token: hok.Token, Certificate: hok.Certificate, Lifetime: 20 * time.Minute})
	if err != nil {
		govmomitest.Fail("renew: %v", err)
	}
	if lifetime := renewed.Lifetime.Expires.Sub(renewed.Lifetime.Created); lifetime < 19*time.Minute || lifetime > 20*time.Minute || renewed.Token == hok.Token {
		govmomitest.Fail("renewed token: lifetime %s", lifetime)
	}
	fmt.Println("ok renew holder-of-key")
	govmomitest.LoginWith(ctx, vc, renewed, user, "renewed holder-of-key")

	// Renewing takes the holder's key: another key pair cannot renew the token.
	if _, err := stsClient.Renew(ctx, sts.TokenRequest{Token: hok.Token, Certificate: govmomitest.KeyPair("govmomi-holder"), Lifetime: 20 * time.Minute}); err == nil {
		govmomitest.Fail("a token was renewed by a key it is not bound to")
	}
	fmt.Println("ok renew refused without the holder's key")

	// The token without the key: a bearer-style SIGN header with a holder-of-key token is refused.
	stolen := *hok
	stolen.Certificate = nil
	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, &stolen)); err == nil {
		govmomitest.Fail("a holder-of-key token was accepted without the holder's signature")
	}
	fmt.Println("ok holder-of-key token refused without its key")
}
