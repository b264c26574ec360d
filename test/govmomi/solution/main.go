// Solution users and delegation with govmomi's own sts package: a solution user gets a
// holder-of-key token with its certificate alone (no password), logs in with it, then gets a token
// acting for a user (ActAs) from the user's delegatable token, logs in as the user with it, renews
// it; an unregistered certificate, a non-delegatable token and a user who is no solution user are refused.
//
// Usage: go run main.go URL USER PASSWORD CA_FILE SOLUTION_USER CERT_FILE KEY_FILE
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/sts"

	"govmomitest"
)

func main() {
	if len(os.Args) != 8 {
		govmomitest.Fail("usage: main URL USER PASSWORD CA_FILE SOLUTION_USER CERT_FILE KEY_FILE")
	}
	endpoint, err := url.Parse(os.Args[1])
	if err != nil {
		govmomitest.Fail("url: %v", err)
	}
	user, password, caFile, solutionUser := os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	solution, err := tls.LoadX509KeyPair(os.Args[6], os.Args[7])
	if err != nil {
		govmomitest.Fail("solution user key pair: %v", err)
	}
	ctx := context.Background()

	vc := govmomitest.Client(endpoint, caFile)
	stsClient, err := sts.NewClient(ctx, vc)
	if err != nil {
		govmomitest.Fail("sts client: %v", err)
	}

	// The solution user's own token: the certificate and a signature with its key, no password
	// (delegatable, as Session.create takes only delegatable tokens).
	own, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, Lifetime: 10 * time.Minute, Delegatable: true})
	if err != nil || !strings.Contains(own.Token, "holder-of-key") {
		govmomitest.Fail("issue by certificate: %v", err)
	}
	fmt.Println("ok solution user token")
	govmomitest.LoginWith(ctx, vc, own, solutionUser, "solution user")

	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: govmomitest.KeyPair("stranger"), Lifetime: time.Minute}); err == nil {
		govmomitest.Fail("an unregistered certificate got a token")
	}
	fmt.Println("ok unregistered certificate refused")

	// The user's delegatable token, which the user hands to the solution user.
	delegatable, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Lifetime: 10 * time.Minute, Delegatable: true})
	if err != nil {
		govmomitest.Fail("user token: %v", err)
	}
	actAs, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, ActAs: true, Token: delegatable.Token, Lifetime: 10 * time.Minute, Delegatable: true, Renewable: true})
	if err != nil || !strings.Contains(actAs.Token, "DelegationRestrictionType") {
		govmomitest.Fail("ActAs: %v", err)
	}
	fmt.Println("ok act as")
	govmomitest.LoginWith(ctx, vc, actAs, user, "act-as")

	renewed, err := stsClient.Renew(ctx, sts.TokenRequest{Token: actAs.Token, Certificate: &solution, Lifetime: 5 * time.Minute})
	if err != nil || !strings.Contains(renewed.Token, "DelegationRestrictionType") {
		govmomitest.Fail("renew the ActAs token: %v", err)
	}
	fmt.Println("ok renew act-as token")
	govmomitest.LoginWith(ctx, vc, renewed, user, "renewed act-as")

	notDelegatable, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Lifetime: 10 * time.Minute, Delegatable: false})
	if err != nil {
		govmomitest.Fail("user token: %v", err)
	}
	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, ActAs: true, Token: notDelegatable.Token, Lifetime: time.Minute}); err == nil {
		govmomitest.Fail("a non-delegatable token was accepted in ActAs")
	}
	fmt.Println("ok non-delegatable token refused in ActAs")

	// A user with a key pair of its own is no solution user: it cannot act for another.
	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Certificate: govmomitest.KeyPair("stranger"), ActAs: true, Token: delegatable.Token, Lifetime: time.Minute}); err == nil {
		govmomitest.Fail("a user acted for another")
	}
	fmt.Println("ok act as refused to a user")
}
