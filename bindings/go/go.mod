module libattest.dev/attest

go 1.19
