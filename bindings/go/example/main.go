// Command example verifies evidence with libattest through the Go
// binding: copy it as the start of a relying party.
//
//	go run ./example [-at RFC3339] [-nonce HEX] [-policy FILE] \
//	    [-anchor-amd HEX] [-online] EVIDENCE [COLLATERAL...]
//
// It prints the verdict and each check, and exits 0 only when the
// evidence is accepted.
package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"

	attest "libattest.dev/attest"
)

func main() {
	at := flag.String("at", "", "verify as of this RFC 3339 instant (default: now)")
	nonceHex := flag.String("nonce", "", "the challenge the evidence must answer, in hex")
	policyFile := flag.String("policy", "", "policy JSON (default: the strict default policy)")
	anchorAMD := flag.String("anchor-amd", "", "trust only this AMD root (SPKI SHA-256, hex)")
	online := flag.Bool("online", false, "fetch missing collateral from the vendors")
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*at, *nonceHex, *policyFile, *anchorAMD, *online, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "rejected:", err)
		var status attest.Status
		if errors.As(err, &status) && status == attest.ErrCollateralMissing {
			fmt.Fprintln(os.Stderr, "(some collateral is missing: try -online)")
		}
		os.Exit(1)
	}
}

// options turns the flags into Verifier options.
func options(at, anchorAMD string, online bool) ([]attest.Option, error) {
	var opts []attest.Option
	if at != "" {
		t, err := attest.ParseTime(at)
		if err != nil {
			return nil, err
		}
		opts = append(opts, attest.WithTime(t))
	}
	if anchorAMD != "" {
		opts = append(opts, attest.WithoutBuiltinAnchors(attest.VendorAMD),
			attest.WithAnchorHex(attest.VendorAMD, anchorAMD))
	}
	if online {
		f, err := attest.NewFetcher()
		if err != nil {
			return nil, err
		}
		opts = append(opts, attest.WithFetcher(f))
	}
	return opts, nil
}

func run(at, nonceHex, policyFile, anchorAMD string, online bool, files []string) error {
	opts, err := options(at, anchorAMD, online)
	if err != nil {
		return err
	}
	v, err := attest.NewVerifier(opts...)
	if err != nil {
		return err
	}
	defer v.Close()
	req := attest.Request{}
	if req.Nonce, err = hex.DecodeString(nonceHex); err != nil {
		return fmt.Errorf("-nonce: %w", err)
	}
	if policyFile != "" {
		doc, err := os.ReadFile(policyFile)
		if err != nil {
			return err
		}
		if req.Policy, err = attest.ParsePolicy(doc); err != nil {
			return err
		}
		defer req.Policy.Close()
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	if req.Evidence, err = attest.ParseEvidence(data); err != nil {
		return err
	}
	defer req.Evidence.Close()
	if req.Collateral, err = attest.NewCollateral(); err != nil {
		return err
	}
	defer req.Collateral.Close()
	for _, name := range files[1:] {
		item, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := req.Collateral.Add(item); err != nil {
			return err
		}
	}
	r, err := v.VerifyRequest(req)
	if r != nil {
		defer r.Close()
		for _, c := range r.Checks() {
			fmt.Printf("%-8s %-40s %s\n", c.Outcome, c.Name, c.Detail)
		}
		fmt.Println("verdict:", r.Verdict, "("+r.EARStatus+")")
	}
	return err
}
