"""Standard credentials (DESIGN.md "Interoperability", docs/decisions/0015-verifiable-credentials.md).

- `contexts/`: the JSON-LD contexts, bundled with their sha256 (`index.json`); never fetched at run time.
- `loader`: the document loader that serves only those, and canonicalisation (RDFC-1.0 through pyld).
- `multikey`: Ed25519 public keys as Multikey `publicKeyMultibase` (`z6Mk...`).
- `did`: the issuer's `did:web` and its DID document, built from the signing keyring (credentials.signing).
- `proof`: Data Integrity proofs, cryptosuite `eddsa-rdfc-2022`: `add_proof`, `verify_proof`.
- `credential`: a certificate as a W3C VC 2.0 / Open Badges 3.0 `OpenBadgeCredential`.
"""
