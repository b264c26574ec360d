// Solution users and delegation with govmomi's own sts package: a solution user gets a
// holder-of-key token with its certificate alone (no password), logs in with it, then gets a token
// acting for a user (ActAs) from the user's delegatable token, logs in as the user with it, renews
// it; an unregistered certificate, a non-delegatable token and a user who is no solution user are refused.
//
// Usage: go run main.go URL USER PASSWORD CA_FILE SOLUTION_USER CERT_FILE KEY_FILE
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/sts"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// unregisteredCertificate is a key pair the server has never heard of.
func unregisteredCertificate() *tls.Certificate {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		fail("key: %v", err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "stranger"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		fail("certificate: %v", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// loginWith logs in to /rest with a token, checks the session's user and logs out.
func loginWith(ctx context.Context, vc *vim25.Client, signer *sts.Signer, user, kind string) {
	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, signer)); err != nil {
		fail("login by %s token: %v", kind, err)
	}
	s, err := c.Session(ctx)
	if err != nil || s == nil || !strings.EqualFold(s.User, user) {
		fail("%s session: %+v %v", kind, s, err)
	}
	fmt.Printf("ok %s session %s\n", kind, s.User)
	if err := c.Logout(ctx); err != nil {
		fail("logout: %v", err)
	}
}

func main() {
	if len(os.Args) != 8 {
		fail("usage: main URL USER PASSWORD CA_FILE SOLUTION_USER CERT_FILE KEY_FILE")
	}
	endpoint, err := url.Parse(os.Args[1])
	if err != nil {
		fail("url: %v", err)
	}
	user, password, caFile, solutionUser := os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	solution, err := tls.LoadX509KeyPair(os.Args[6], os.Args[7])
	if err != nil {
		fail("solution user key pair: %v", err)
	}
	ctx := context.Background()

	sc := soap.NewClient(endpoint, false)
	if err := sc.SetRootCAs(caFile); err != nil {
		fail("trusting %s: %v", caFile, err)
	}
	vc := &vim25.Client{Client: sc}
	stsClient, err := sts.NewClient(ctx, vc)
	if err != nil {
		fail("sts client: %v", err)
	}

	// The solution user's own token: the certificate and a signature with its key, no password
	// (delegatable, as Session.create takes only delegatable tokens).
	own, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, Lifetime: 10 * time.Minute, Delegatable: true})
	if err != nil || !strings.Contains(own.Token, "holder-of-key") {
		fail("issue by certificate: %v", err)
	}
	fmt.Println("ok solution user token")
	loginWith(ctx, vc, own, solutionUser, "solution user")

	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: unregisteredCertificate(), Lifetime: time.Minute}); err == nil {
		fail("an unregistered certificate got a token")
	}
	fmt.Println("ok unregistered certificate refused")

	// The user's delegatable token, which the user hands to the solution user.
	delegatable, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Lifetime: 10 * time.Minute, Delegatable: true})
	if err != nil {
		fail("user token: %v", err)
	}
	actAs, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, ActAs: true, Token: delegatable.Token, Lifetime: 10 * time.Minute, Delegatable: true, Renewable: true})
	if err != nil || !strings.Contains(actAs.Token, "DelegationRestrictionType") {
		fail("ActAs: %v", err)
	}
	fmt.Println("ok act as")
	loginWith(ctx, vc, actAs, user, "act-as")

	renewed, err := stsClient.Renew(ctx, sts.TokenRequest{Token: actAs.Token, Certificate: &solution, Lifetime: 5 * time.Minute})
	if err != nil || !strings.Contains(renewed.Token, "DelegationRestrictionType") {
		fail("renew the ActAs token: %v", err)
	}
	fmt.Println("ok renew act-as token")
	loginWith(ctx, vc, renewed, user, "renewed act-as")

	notDelegatable, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Lifetime: 10 * time.Minute, Delegatable: false})
	if err != nil {
		fail("user token: %v", err)
	}
	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Certificate: &solution, ActAs: true, Token: notDelegatable.Token, Lifetime: time.Minute}); err == nil {
		fail("a non-delegatable token was accepted in ActAs")
	}
	fmt.Println("ok non-delegatable token refused in ActAs")

	// A user with a key pair of its own is no solution user: it cannot act for another.
	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password), Certificate: unregisteredCertificate(), ActAs: true, Token: delegatable.Token, Lifetime: time.Minute}); err == nil {
		fail("a user acted for another")
	}
	fmt.Println("ok act as refused to a user")
}
