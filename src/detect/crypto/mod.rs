//! Cryptographic material: keys, certificates, CSRs, keystores and DH parameters, found by content
//! (never by file name alone) in text and binary blobs, parsed and fingerprinted.
//!
//! [`detect`] returns one [`CryptoItem`] per object found. Its [`CryptoInfo`] says what the object
//! is (kind, format, algorithm, size, encrypted at rest or not) and carries `spki_sha256`: the
//! SHA-256 of the DER SubjectPublicKeyInfo of the key, lowercase hex. That fingerprint is the
//! same for a private key, every encoding of its public key (PEM/DER SPKI, PKCS#1, OpenSSH `.pub`,
//! `authorized_keys`, `known_hosts`, PPK, JWK, age recipient, WireGuard public key, OpenPGP where
//! the algorithm maps) and every certificate or CSR that carries it, so pairing them is an
//! equality. The SPKI is re-encoded canonically before hashing (RSA with NULL parameters, EC points
//! uncompressed, named curves), which is what `openssl pkey -pubout -outform DER | sha256sum`
//! hashes. Private keys whose public half cannot be recovered without the password (encrypted
//! PKCS#8, legacy-encrypted PEM, encrypted PKCS#12 bags) get `spki_sha256: None`; OpenSSH and PPK
//! keep the public key in clear, so theirs is filled even when encrypted.
//!
//! What is recognised, by content:
//!
//! * PEM blocks of every key/certificate label (`RSA PRIVATE KEY`, `PRIVATE KEY`, `ENCRYPTED
//!   PRIVATE KEY`, `EC PRIVATE KEY`, `DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE/PUBLIC
//!   KEY BLOCK`, `CERTIFICATE`, `TRUSTED CERTIFICATE`, `[NEW ]CERTIFICATE REQUEST`, `PUBLIC KEY`,
//!   `RSA PUBLIC KEY`, `DH PARAMETERS`), legacy `Proc-Type: 4,ENCRYPTED` PEM, CRLF, indented
//!   (YAML) and `\n`-escaped (JSON, Terraform state) PEM;
//! * DER keys, certificates and CSRs (a blob that parses as one, whatever its name), and base64
//!   PEM or DER embedded in text (Kubernetes Secret `data:`, kubeconfig `*-data:`, JWK `x5c`);
//! * PKCS#12 (opened with the empty password and with no password), JKS and JCEKS;
//! * OpenSSH private keys, PuTTY PPK v2/v3, SSH public keys (`.pub`, `authorized_keys` with
//!   options, `known_hosts`, RFC 4716), OpenSSH certificates;
//! * age identities and recipients, WireGuard keys, JWK (RSA, EC, OKP, oct), OpenPGP keys
//!   (RFC 4880 v4 key packets, armored or binary).
//!
//! Placeholders (`...`, `<paste key here>`, `<redacted>`) and damaged blocks are reported as
//! [`Kind::Unparseable`] at low severity, never as private keys.
//!
//! # Rule ids and severities
//!
//! Rule ids are stable (reports, baselines and SARIF use them):
//!
//! | id | severity | emitted for |
//! | --- | --- | --- |
//! | `crypto-private-key` | critical | a private key in clear (or encrypted with the empty password) |
//! | `crypto-private-key-weak-encryption` | high | a private key behind a fast, unstretched KDF: legacy PEM encryption (one MD5 round), PPK v2 (SHA-1), PKCS#12/PBES1 PBE, OpenPGP simple/salted S2K |
//! | `crypto-private-key-encrypted` | medium | a private key behind a stretched KDF (OpenSSH bcrypt, PBES2/PBKDF2, PPK v3 Argon2, OpenPGP iterated S2K) |
//! | `crypto-private-key-token-bound` | medium | an OpenSSH FIDO (`sk-`) key handle: useless without the hardware token |
//! | `crypto-symmetric-key` | high | a symmetric secret in a key format (JWK `oct`, WireGuard `PresharedKey`) |
//! | `crypto-keystore-passwordless` | critical | a keystore that opens with the empty password, none, or keytool's default `changeit`, and holds a private key |
//! | `crypto-keystore` | medium | a password-protected keystore (PKCS#12, JKS, JCEKS) that holds or may hold keys |
//! | `crypto-truststore` | note | a keystore known to hold certificates only |
//! | `crypto-public-key` | note | a public key |
//! | `crypto-certificate` | note | an X.509 or OpenSSH certificate |
//! | `crypto-csr` | note | a PKCS#10 certificate signing request |
//! | `crypto-dh-parameters` | note | Diffie-Hellman parameters |
//! | `crypto-unparseable` | low | key-shaped material that does not parse (placeholder, truncated, corrupt); note when its PEM label is not a private key's |
//!
//! Policy reads what a rule's items are from [`RULES`], not from the ids: `open_keystore` marks
//! `crypto-keystore-passwordless`, whose keystores count as keys in clear.
//!
//! Why encrypted keys are not critical: their exposure still matters (offline guessing), but it is
//! not a usable key until the passphrase falls; a fast KDF makes that likely, hence `high`.
//!
//! Keystores are tried with the empty password, no password and keytool's default `changeit`
//! (PKCS#12, and the JKS integrity digest); what opens is listed as separate items (`container`
//! set), and a PKCS#12 whose MAC none of these passwords verifies is not decrypted at all.
//!
//! Work is bounded on hostile input: password-based derivations share a per-call budget
//! (`budget`), iteration counts above 300 000 are not attempted, PEM END lines are searched
//! only up to the next BEGIN, and the text scanners cap their candidates. [`detect`] also catches
//! panics from dependencies (the tests use `detect_unguarded`, which does not).
//!
//! Not derived (the field stays `None`): Ed448/X448 public keys from PKCS#8 private keys that do
//! not embed them (no maintained stable crate does Ed448 arithmetic); EC public keys on curves
//! other than P-256/P-384/P-521/secp256k1 when the SEC1 key omits them; DH public keys.
//!
//! Conventions: `bits` is the modulus size for RSA/DSA/DH, the field size for EC, 256 for
//! Ed25519/X25519 (as `ssh-keygen -l` prints), 456 for Ed448 and 448 for X448. EC keys have
//! `algorithm: "EC"` and the curve in `curve` (`P-256`, `P-384`, `P-521`, `secp256k1`, ...).
//! `format` names the structure (`pkcs1`, `pkcs8`, `sec1`, `x509`, `pkcs10`, ...), `encoding` its
//! wrapper (`pem`, `der`, `base64`, `text`, `binary`).

mod age;
mod asn1;
mod classify;
mod jks;
mod jwk;
mod keys;
mod pbe;
mod pem;
mod pgp;
mod pkcs12;
mod pubkey;
mod ssh;
mod text;
mod x509;

use crate::model::Severity;
pub use crate::model::crypto::{
    CertInfo, CryptoInfo, CsrInfo, KeystoreEntry, KeystoreInfo, Kind, PgpInfo,
};

use std::ops::Range;

/// Literals whose presence in a blob means `detect` is worth calling (fed into the engine's
/// Aho-Corasick prefilter, which matches them ASCII-case-insensitively).
pub const KEYWORDS: &[&str] = &[
    "-----BEGIN",
    "---- BEGIN SSH2",
    "PuTTY-User-Key-File",
    "AGE-SECRET-KEY-1",
    "age1",
    "ssh-",
    "ecdsa-sha2-",
    "sk-ecdsa-sha2-",
    "PrivateKey",
    "PresharedKey",
    "\"kty\"",
    // base64 of "-----BEGIN" (Kubernetes Secret data, kubeconfig *-data fields).
    "LS0tLS1CRUdJTi",
    // base64 of a DER SEQUENCE with a two-byte length: certificates and most keys.
    "MII",
    // base64 of DER Ed25519/X25519 PKCS#8 and SPKI, too short for a two-byte length.
    "MC4CAQAwBQYDK2",
    "MCowBQYDK2",
];

/// One object found in a blob.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoItem {
    /// Byte range of the object in the blob (the whole PEM block, line, JSON object or file).
    pub span: Range<usize>,
    pub rule_id: &'static str,
    pub severity: Severity,
    pub info: CryptoInfo,
}

impl CryptoInfo {
    /// Fill algorithm, curve, bits, exponent and fingerprint from a public key.
    pub(crate) fn set_public(&mut self, key: &pubkey::PubKey) {
        self.algorithm = Some(key.algorithm.clone());
        self.curve = key.curve.clone();
        self.bits = key.bits;
        self.rsa_exponent = key.rsa_exponent;
        self.spki_sha256 = key.spki_sha256();
    }
}

/// One entry per rule id [`detect`] can emit, for reports (SARIF `tool.driver.rules`) and
/// `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeRule {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub remediation: &'static str,
    /// Its items are keystores that open without a real password (empty, none, or the tool's
    /// default) and hold a private key: as good as a key in clear, to the policy.
    pub open_keystore: bool,
}

const ROTATE: &str = "Treat the key as compromised: revoke or rotate it, remove it from the \
repository and its history, and keep keys in a secret manager or HSM instead of files.";

pub const RULES: &[NativeRule] = &[
    NativeRule {
        id: "crypto-private-key",
        name: "Private key in clear",
        description: "A parseable private key stored without encryption (or encrypted with the empty password).",
        category: "private-key",
        severity: Severity::Critical,
        remediation: ROTATE,
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-private-key-weak-encryption",
        name: "Weakly encrypted private key",
        description: "A private key encrypted with a fast, unstretched key derivation (legacy PEM encryption, PuTTY PPK v2, PKCS#12 PBE, OpenPGP simple S2K): passphrases fall to offline guessing.",
        category: "private-key",
        severity: Severity::High,
        remediation: "Rotate the key if the file was shared; otherwise re-encrypt it with a stretched KDF (ssh-keygen -p, openssl pkcs8 -v2 aes-256-cbc, PPK v3) and move it out of the repository.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-private-key-encrypted",
        name: "Encrypted private key",
        description: "A passphrase-protected private key (OpenSSH bcrypt, PKCS#8 PBES2, PPK v3 Argon2, OpenPGP iterated S2K).",
        category: "private-key",
        severity: Severity::Medium,
        remediation: "Private keys do not belong in repositories even when encrypted: move it to a secret store and rotate it if the passphrase is weak or shared.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-private-key-token-bound",
        name: "Security-key (FIDO) SSH key handle",
        description: "An OpenSSH sk- private key file: a handle that is only usable together with its hardware token.",
        category: "private-key",
        severity: Severity::Medium,
        remediation: "Remove the handle from the repository; revoke the key if the token is lost.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-symmetric-key",
        name: "Symmetric key",
        description: "A symmetric secret in a key format (JWK oct key, WireGuard preshared key).",
        category: "private-key",
        severity: Severity::High,
        remediation: ROTATE,
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-keystore-passwordless",
        name: "Keystore without password",
        description: "A keystore that opens with the empty password, no password or a well-known default (JKS `changeit`) and holds a private key.",
        category: "keystore",
        severity: Severity::Critical,
        remediation: ROTATE,
        open_keystore: true,
    },
    NativeRule {
        id: "crypto-keystore",
        name: "Keystore",
        description: "A password-protected keystore (PKCS#12, JKS, JCEKS) that holds, or may hold, private or secret keys.",
        category: "keystore",
        severity: Severity::Medium,
        remediation: "Keep keystores out of repositories; rotate the keys if the store password is weak, default (changeit) or committed nearby.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-truststore",
        name: "Truststore",
        description: "A keystore that holds certificates only.",
        category: "keystore",
        severity: Severity::Note,
        remediation: "No secret here; inventory only.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-public-key",
        name: "Public key",
        description: "A public key (SPKI, PKCS#1, OpenSSH, authorized_keys, known_hosts, JWK, age recipient, WireGuard, OpenPGP).",
        category: "public-key",
        severity: Severity::Note,
        remediation: "No secret here; inventory only. The SPKI fingerprint pairs it with its private key.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-certificate",
        name: "Certificate",
        description: "An X.509 or OpenSSH certificate.",
        category: "certificate",
        severity: Severity::Note,
        remediation: "No secret here; inventory only (expiry, algorithms and key sizes are audited by policy).",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-csr",
        name: "Certificate signing request",
        description: "A PKCS#10 certificate signing request.",
        category: "certificate",
        severity: Severity::Note,
        remediation: "No secret here; its private key is usually nearby.",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-dh-parameters",
        name: "Diffie-Hellman parameters",
        description: "Diffie-Hellman group parameters.",
        category: "public-key",
        severity: Severity::Note,
        remediation: "No secret here; check the group size (2048 bits or more).",
        open_keystore: false,
    },
    NativeRule {
        id: "crypto-unparseable",
        name: "Unparseable key material",
        description: "Something shaped like key material (a PEM header, a keystore) that does not parse: a placeholder, a truncated or corrupted key.",
        category: "private-key",
        severity: Severity::Low,
        remediation: "Check whether a real key was truncated or redacted; remove it if it is one.",
        open_keystore: false,
    },
];

/// Marker set in [`CryptoInfo::encryption`] for OpenSSH security-key handles.
pub(crate) const SK_PROTECTION: &str = "fido-security-key";

fn rule(id: &'static str) -> (&'static str, Severity) {
    let sev = RULES
        .iter()
        .find(|r| r.id == id)
        .map_or(Severity::Low, |r| r.severity);
    (id, sev)
}

/// The rule an item falls under (see the module docs).
fn classify(info: &CryptoInfo) -> (&'static str, Severity) {
    match info.kind {
        Kind::PrivateKey => {
            if info.encryption.as_deref() == Some(SK_PROTECTION) {
                rule("crypto-private-key-token-bound")
            } else if !info.encrypted || info.empty_password {
                rule("crypto-private-key")
            } else if info.weak_protection {
                rule("crypto-private-key-weak-encryption")
            } else {
                rule("crypto-private-key-encrypted")
            }
        }
        Kind::SymmetricKey => rule("crypto-symmetric-key"),
        Kind::Keystore => {
            let ks = info.keystore.as_ref();
            let holds = ks.and_then(KeystoreInfo::holds_private_or_secret);
            let opened = ks.is_some_and(|k| k.opened_with.is_some());
            match holds {
                Some(true) if opened => rule("crypto-keystore-passwordless"),
                Some(false) => rule("crypto-truststore"),
                _ => rule("crypto-keystore"),
            }
        }
        Kind::PublicKey => rule("crypto-public-key"),
        Kind::Certificate => rule("crypto-certificate"),
        Kind::Csr => rule("crypto-csr"),
        Kind::DhParameters => rule("crypto-dh-parameters"),
        Kind::Unparseable => {
            // A broken certificate or public key leaks nothing, and a placeholder holds no key:
            // note them, as inventory items. A cut or corrupt private key may still leak one.
            let (id, severity) = rule("crypto-unparseable");
            let public = info
                .label
                .as_deref()
                .is_some_and(|l| !l.contains("PRIVATE") && !l.contains("PKCS12"));
            (
                id,
                if public || info.placeholder {
                    Severity::Note
                } else {
                    severity
                },
            )
        }
    }
}

/// An object found by one of the parsers, before rules are assigned.
pub(crate) struct Found {
    pub span: Range<usize>,
    pub info: CryptoInfo,
}

/// Cheap check for binary formats that have no keyword (DER, PKCS#12, JKS, binary OpenPGP):
/// magic bytes, a DER SEQUENCE header whose length fits the blob, or a key-store extension.
/// Constant time: called on every blob.
pub fn wants_binary(path: &str, data: &[u8]) -> bool {
    if jks::is_keystore(data) || asn1::looks_like_der(data) || pgp::looks_like_binary_key(data) {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    const EXTS: &[&str] = &[
        ".p12",
        ".pfx",
        ".der",
        ".cer",
        ".crt",
        ".jks",
        ".jceks",
        ".keystore",
        ".p8",
        ".pk8",
        ".key",
        ".gpg",
        ".pgp",
    ];
    EXTS.iter().any(|e| name.ends_with(e)) && !data.is_empty()
}

/// A per-call budget for the expensive steps (password-based key derivations, DSA public keys),
/// so that a hostile blob full of keystores with huge iteration counts costs bounded time.
pub(crate) mod budget {
    use std::cell::Cell;

    /// About a second of hashing: real files need a few tens of thousands.
    const UNITS: u64 = 3_000_000;

    thread_local! {
        static LEFT: Cell<u64> = const { Cell::new(UNITS) };
    }

    pub fn reset() {
        LEFT.with(|l| l.set(UNITS));
    }

    /// Spend `units` (hash-function iterations); false, and nothing spent, when not enough left.
    pub fn charge(units: u64) -> bool {
        LEFT.with(|l| {
            let left = l.get();
            if units > left {
                false
            } else {
                l.set(left - units);
                true
            }
        })
    }
}

/// How deep base64-in-text decoding may recurse (a base64 PEM inside a base64 kubeconfig...).
const MAX_DEPTH: u8 = 2;

/// Parse everything in the blob. Never panics, whatever the input: the parsers use checked
/// access throughout, and a panic in a dependency is caught and ends the scan of this blob only.
pub fn detect(path: &str, data: &[u8]) -> Vec<CryptoItem> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        detect_unguarded(path, data)
    }))
    .unwrap_or_default()
}

/// [`detect`] without the panic safety net, for tests and fuzzing (where a panic must surface).
#[doc(hidden)]
pub fn detect_unguarded(path: &str, data: &[u8]) -> Vec<CryptoItem> {
    budget::reset();
    let mut found = Vec::new();
    scan(path, data, 0, &mut found);
    let mut items: Vec<CryptoItem> = found
        .into_iter()
        .map(|f| {
            let (rule_id, severity) = classify(&f.info);
            CryptoItem {
                span: f.span,
                rule_id,
                severity,
                info: f.info,
            }
        })
        .collect();
    // Stable, input-ordered output; the parsers already emit in order within a blob region.
    items.sort_by_key(|i| (i.span.start, i.span.end));
    items
}

/// Run every parser over `data`.
pub(crate) fn scan(path: &str, data: &[u8], depth: u8, out: &mut Vec<Found>) {
    // Binary containers that are the whole blob.
    if jks::is_keystore(data) {
        jks::parse(data, out);
        return;
    }
    if let Some(found) = classify::sniff_der_blob(data) {
        out.extend(found);
        return;
    }
    if pgp::looks_like_binary_key(data) {
        let before = out.len();
        pgp::parse_binary(data, 0..data.len(), "binary", out);
        if out.len() > before {
            return;
        }
    }
    // Text formats; harmless on binary input (they look for ASCII markers).
    let pem_spans = pem::scan(data, out);
    ssh::scan_rfc4716(data, out);
    ssh::scan_ppk(data, out);
    ssh::scan_public_lines(path, data, &pem_spans, out);
    age::scan(data, out);
    age::scan_wireguard(data, out);
    jwk::scan(data, out);
    if depth < MAX_DEPTH {
        text::scan_base64(path, data, depth, &pem_spans, out);
    }
}
