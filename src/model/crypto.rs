//! What a key, certificate, CSR or keystore is, as the crypto detector describes it: the
//! description every later stage reads (inventory pairing by `spki_sha256`, policy ages and
//! weaknesses, reports). The detector fills it; nothing here parses.

use serde::{Deserialize, Serialize};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PrivateKey,
    PublicKey,
    Certificate,
    Csr,
    Keystore,
    DhParameters,
    SymmetricKey,
    Unparseable,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PrivateKey => "private_key",
            Kind::PublicKey => "public_key",
            Kind::Certificate => "certificate",
            Kind::Csr => "csr",
            Kind::Keystore => "keystore",
            Kind::DhParameters => "dh_parameters",
            Kind::SymmetricKey => "symmetric_key",
            Kind::Unparseable => "unparseable",
        }
    }
}

/// What was learnt about an object. Fields that do not apply are `None` / empty / `false`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoInfo {
    pub kind: Kind,
    /// The structure: `pkcs1`, `pkcs8`, `sec1`, `dsa`, `openssh`, `ppk2`, `ppk3`,
    /// `pem-legacy-encrypted`, `spki`, `x509`, `pkcs10`, `pkcs3`, `pkcs12`, `jks`, `jceks`, `age`,
    /// `wireguard`, `jwk`, `openpgp`, `ssh-public`, `authorized_keys`, `known_hosts`, `rfc4716`,
    /// `openssh-cert`, or `pem` for an unparseable PEM block.
    pub format: String,
    /// How the structure was wrapped: `pem`, `der`, `base64`, `text` or `binary`.
    #[serde(default)]
    pub encoding: String,
    /// `RSA`, `DSA`, `EC`, `Ed25519`, `Ed448`, `X25519`, `X448`, `DH`, `ElGamal`, or an OID.
    pub algorithm: Option<String>,
    /// EC curve name: `P-256`, `P-384`, `P-521`, `secp256k1`, `P-224`, `brainpoolP256r1`, ...
    #[serde(default)]
    pub curve: Option<String>,
    pub bits: Option<u32>,
    /// Encrypted at rest (passphrase, password-protected keystore).
    pub encrypted: bool,
    /// Protection scheme when encrypted, e.g. `aes256-ctr/bcrypt`, `PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC`.
    #[serde(default)]
    pub encryption: Option<String>,
    /// The protection is a fast, unstretched KDF (see the module docs).
    #[serde(default)]
    pub weak_protection: bool,
    /// Encrypted, but the empty password, no password or a well-known default (`changeit` for
    /// Java keystores) opens it: as good as clear text.
    #[serde(default)]
    pub empty_password: bool,
    /// SHA-256 of the canonical DER SubjectPublicKeyInfo, lowercase hex.
    pub spki_sha256: Option<String>,
    /// OpenSSH fingerprint of the public key, `SHA256:` + unpadded base64 (SSH keys, PPK).
    pub ssh_sha256: Option<String>,
    pub comment: Option<String>,
    pub rsa_exponent: Option<u64>,
    /// The PEM label, when the object came from a PEM block.
    #[serde(default)]
    pub label: Option<String>,
    /// The object was found inside a container: `pkcs12`, `jks`, `jceks`.
    #[serde(default)]
    pub container: Option<String>,
    /// The public key in its own textual form where that is the way it is shared: age recipient,
    /// WireGuard public key (base64).
    #[serde(default)]
    pub public_key: Option<String>,
    /// `authorized_keys` options or `known_hosts` host patterns written before the key.
    #[serde(default)]
    pub ssh_options: Option<String>,
    pub certificate: Option<CertInfo>,
    #[serde(default)]
    pub csr: Option<CsrInfo>,
    pub keystore: Option<KeystoreInfo>,
    #[serde(default)]
    pub openpgp: Option<PgpInfo>,
    /// Why the object could not be (fully) parsed.
    pub error: Option<String>,
    /// An unparseable block whose body is a placeholder (`...`, `<paste key here>`, nothing):
    /// documentation, no key material at all, so a note rather than a possible partial key.
    #[serde(skip)]
    pub placeholder: bool,
}

impl CryptoInfo {
    pub fn new(kind: Kind, format: &str) -> CryptoInfo {
        CryptoInfo {
            kind,
            format: format.to_string(),
            encoding: String::new(),
            algorithm: None,
            curve: None,
            bits: None,
            encrypted: false,
            encryption: None,
            weak_protection: false,
            empty_password: false,
            spki_sha256: None,
            ssh_sha256: None,
            comment: None,
            rsa_exponent: None,
            label: None,
            container: None,
            public_key: None,
            ssh_options: None,
            certificate: None,
            csr: None,
            keystore: None,
            openpgp: None,
            error: None,
            placeholder: false,
        }
    }

    pub fn unparseable(format: &str, error: impl Into<String>) -> CryptoInfo {
        let mut info = CryptoInfo::new(Kind::Unparseable, format);
        info.error = Some(error.into());
        info
    }
}

/// X.509 certificate details (OpenSSH certificates map onto the same fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Serial number, lowercase hex without leading zero bytes.
    pub serial: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// The same instants as Unix seconds, for arithmetic.
    pub not_before_unix: i64,
    pub not_after_unix: i64,
    /// `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`, ... or the OID when unknown.
    pub signature_algorithm: String,
    /// `DNS:…`, `IP:…`, `email:…`, `URI:…` (OpenSSH certificates: `principal:…`).
    pub sans: Vec<String>,
    pub is_ca: bool,
    pub path_len: Option<u32>,
    /// `digitalSignature`, `keyCertSign`, ...
    pub key_usage: Vec<String>,
    /// `serverAuth`, `clientAuth`, `codeSigning`, ... or the OID when unknown.
    pub extended_key_usage: Vec<String>,
    /// Subject equals issuer and the key identifiers, when present, agree. The signature is not
    /// verified.
    pub self_signed: bool,
    /// SHA-256 over the certificate DER (what `openssl x509 -fingerprint -sha256` prints).
    pub cert_sha256: String,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    pub version: u32,
}

/// PKCS#10 request details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsrInfo {
    pub subject: String,
    pub signature_algorithm: String,
    pub sans: Vec<String>,
    /// SHA-256 over the request DER.
    pub csr_sha256: String,
}

/// A keystore and what could be seen of its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeystoreInfo {
    /// `pkcs12`, `jks`, `jceks`.
    pub store_type: String,
    /// How it was opened: `empty-password`, `no-password`, `unencrypted`; `None` when it did not
    /// open (password-protected).
    pub opened_with: Option<String>,
    /// Integrity MAC algorithm (PKCS#12), e.g. `sha256`.
    pub mac: Option<String>,
    /// The MAC verified with the password in `opened_with`.
    pub mac_verified: bool,
    pub entries: Vec<KeystoreEntry>,
    /// Some content could not be listed (encrypted bag, unknown entry type).
    pub incomplete: bool,
}

impl KeystoreInfo {
    /// Whether it holds a private or secret key: `None` when some content could not be listed.
    pub fn holds_private_or_secret(&self) -> Option<bool> {
        let any = self.entries.iter().any(|e| {
            matches!(
                e.kind.as_str(),
                "private_key" | "secret_key" | "encrypted_private_key"
            )
        });
        if any {
            Some(true)
        } else if self.incomplete {
            None
        } else {
            Some(false)
        }
    }
}

/// One entry of a keystore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeystoreEntry {
    /// Alias (JKS) or friendly name (PKCS#12).
    pub alias: Option<String>,
    /// `private_key`, `encrypted_private_key`, `certificate`, `secret_key`, `encrypted_bag`, ...
    pub kind: String,
    pub encrypted: bool,
    pub algorithm: Option<String>,
    pub spki_sha256: Option<String>,
    pub cert_sha256: Option<String>,
    pub subject: Option<String>,
}

/// OpenPGP key details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PgpInfo {
    /// v4 fingerprint (SHA-1), lowercase hex, as `gpg --with-colons` prints it.
    pub fingerprint: String,
    /// Last 16 hex digits of the fingerprint.
    pub key_id: String,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    pub user_ids: Vec<String>,
    pub subkey: bool,
    /// Secret-key stub (`gpg --export-secret-subkeys`, smartcard): no secret material.
    pub stub: bool,
}
