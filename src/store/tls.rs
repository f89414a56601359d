//! TLS to PostgreSQL, in pure Rust (rustls with ring), so that a store shared by machines is
//! not read and written in clear over the network. `sslmode` means what it means to libpq, so a
//! connection string that works with psql works here: `prefer` (the default) and `require`
//! encrypt without checking the server's certificate; `verify-full` checks it against the CA
//! file of `sslrootcert=FILE`, else the system's roots, and the host name (`verify-ca` is taken
//! as `verify-full`: stricter, never weaker); `disable` is plain text. Use `verify-full` across
//! networks you do not control.

use super::StoreError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;

/// The connection string without the settings the postgres crate does not know (`sslrootcert`,
/// `sslmode=verify-*`), and the CA file named.
pub(super) struct TlsParams {
    pub(super) url: String,
    pub(super) root_cert: Option<String>,
    /// `verify-ca` or `verify-full`: the certificate is checked.
    pub(super) verify: bool,
}

/// Split the TLS settings off `url` (a URL's query or a key-value string).
pub(super) fn params(url: &str) -> TlsParams {
    let mut root_cert = None;
    let mut verify = false;
    let mut take = |key: &str, value: &str| -> Option<String> {
        match (key, value) {
            ("sslrootcert", v) => {
                root_cert = Some(v.to_string());
                None
            }
            ("sslmode", "verify-ca" | "verify-full") => {
                verify = true;
                Some("sslmode=require".into())
            }
            (k, v) => Some(format!("{k}={v}")),
        }
    };
    let url = match url.split_once('?') {
        Some((base, query)) if url.contains("://") => {
            let kept: Vec<String> = query
                .split('&')
                .filter_map(|kv| {
                    kv.split_once('=')
                        .map_or(Some(kv.to_string()), |(k, v)| take(k, v))
                })
                .collect();
            match kept.is_empty() {
                true => base.to_string(),
                false => format!("{base}?{}", kept.join("&")),
            }
        }
        _ if !url.contains("://") => url
            .split_whitespace()
            .filter_map(|kv| {
                kv.split_once('=')
                    .map_or(Some(kv.to_string()), |(k, v)| take(k, v))
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => url.to_string(),
    };
    TlsParams {
        url,
        root_cert,
        verify,
    }
}

/// The TLS connector: the CA file's certificates, or the system's.
pub(super) fn connector(
    p: &TlsParams,
    shown: &str,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let root_cert = p.root_cert.as_deref();
    let fail = |message: String| StoreError::Open {
        store: shown.to_string(),
        message,
    };
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(file) => {
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| fail(format!("sslrootcert {file}: {e}")))?;
            for c in certs {
                let c = c.map_err(|e| fail(format!("sslrootcert {file}: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| fail(format!("sslrootcert {file}: {e}")))?;
            }
        }
        None => {
            // Unreadable system certificates are skipped; with none at all, every TLS
            // connection fails verification, which its error then says.
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = roots.add(c);
            }
        }
    }
    // ring needs no C toolchain beyond cc; its lack of post-quantum key exchange is the price.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?;
    let config = if p.verify {
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth()
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// `sslmode=prefer` and `require`, as libpq has them: encrypted, the certificate not checked
/// (its signatures over the handshake still are, so the session is with the key it presents).
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::params;

    #[test]
    fn tls_settings_come_off_the_connection_string() {
        let p = params(
            "postgres://u@db/k?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x",
        );
        assert_eq!(
            p.url,
            "postgres://u@db/k?sslmode=require&application_name=x"
        );
        assert_eq!(p.root_cert.as_deref(), Some("/etc/ca.pem"));
        let p = params("host=db user=u sslrootcert=ca.pem sslmode=verify-ca");
        assert_eq!(p.url, "host=db user=u sslmode=require");
        assert_eq!(p.root_cert.as_deref(), Some("ca.pem"));
        let p = params("postgres://u@db/k?sslrootcert=ca.pem");
        assert_eq!(p.url, "postgres://u@db/k");
        assert_eq!(params("postgres://u@db/k").url, "postgres://u@db/k");
    }
}
