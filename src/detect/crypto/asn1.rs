//! A small, lenient BER/DER reader for walking containers (PKCS#12, encryption parameters) and
//! sniffing blobs. Strict DER structures (keys, SPKI) are decoded with the RustCrypto `der` family
//! instead; this reader exists because real keystores use BER (indefinite lengths, constructed
//! OCTET STRINGs) that strict DER decoders reject. Every access is bounds-checked.

use std::borrow::Cow;

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const BMP_STRING: u8 = 0x1e;

/// Maximum nesting followed when measuring indefinite-length values.
const MAX_NESTING: u32 = 64;

/// One TLV.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The identifier octet (class, constructed bit and tag number < 31).
    pub tag: u8,
    /// Contents (for indefinite lengths: the contents without the end-of-contents marker).
    pub value: &'a [u8],
    /// The whole encoding, header included.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// A reader over the contents of a constructed value.
    pub fn reader(&self) -> Reader<'a> {
        Reader { data: self.value }
    }

    /// OCTET STRING contents, joining the segments of a BER constructed encoding.
    pub fn octets(&self) -> Option<Cow<'a, [u8]>> {
        if !self.constructed() {
            return Some(Cow::Borrowed(self.value));
        }
        let mut out = Vec::new();
        collect_octets(self.value, &mut out, 0)?;
        Some(Cow::Owned(out))
    }

    /// Non-negative INTEGER as u64 (None if negative or too large).
    pub fn uint(&self) -> Option<u64> {
        if self.tag != INTEGER {
            return None;
        }
        let v = self.value;
        if v.is_empty() || v.first().is_some_and(|b| b & 0x80 != 0) {
            return None;
        }
        let v = strip_zeros(v);
        if v.len() > 8 {
            return None;
        }
        Some(v.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
}

fn collect_octets(mut data: &[u8], out: &mut Vec<u8>, depth: u32) -> Option<()> {
    if depth > MAX_NESTING {
        return None;
    }
    while !data.is_empty() {
        let (tlv, rest) = read(data)?;
        if tlv.constructed() {
            collect_octets(tlv.value, out, depth + 1)?;
        } else {
            out.extend_from_slice(tlv.value);
        }
        data = rest;
    }
    Some(())
}

/// Strip leading zero bytes of a big-endian integer (keeping at least one byte).
pub fn strip_zeros(v: &[u8]) -> &[u8] {
    let n = v.iter().take_while(|b| **b == 0).count();
    if n == v.len() {
        v.get(v.len().saturating_sub(1)..).unwrap_or(v)
    } else {
        v.get(n..).unwrap_or(v)
    }
}

/// Number of significant bits of a big-endian unsigned integer.
pub fn bit_len(v: &[u8]) -> u32 {
    let v = strip_zeros(v);
    match v.first() {
        None | Some(0) => 0,
        Some(b) => (v.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

/// Read one TLV from the front of `input`, returning it and the rest.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    read_at_depth(input, 0)
}

fn read_at_depth(input: &[u8], depth: u32) -> Option<(Tlv<'_>, &[u8])> {
    if depth > MAX_NESTING {
        return None;
    }
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers do not occur in the structures we walk
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (Some(first as usize), 2usize)
    } else if first == 0x80 {
        (None, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (Some(len), 2 + n)
    };
    match len {
        Some(len) => {
            let end = header.checked_add(len)?;
            let value = input.get(header..end)?;
            let raw = input.get(..end)?;
            Some((Tlv { tag, value, raw }, input.get(end..)?))
        }
        None => {
            // Indefinite length (BER): only constructed; walk children to the end-of-contents.
            if tag & 0x20 == 0 {
                return None;
            }
            let body = input.get(header..)?;
            let mut rest = body;
            loop {
                if rest.get(..2) == Some(&[0, 0]) {
                    let consumed = body.len() - rest.len();
                    let value = body.get(..consumed)?;
                    let end = header + consumed + 2;
                    return Some((
                        Tlv {
                            tag,
                            value,
                            raw: input.get(..end)?,
                        },
                        input.get(end..)?,
                    ));
                }
                let (_, r) = read_at_depth(rest, depth + 1)?;
                rest = r;
            }
        }
    }
}

/// Sequential reader over concatenated TLVs.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    pub fn next(&mut self) -> Option<Tlv<'a>> {
        let (tlv, rest) = read(self.data)?;
        self.data = rest;
        Some(tlv)
    }

    /// The next TLV, which must have tag `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.peek_tag()? != tag {
            return None;
        }
        self.next()
    }

    /// The next TLV if it has tag `tag`.
    pub fn optional(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.peek_tag() == Some(tag) {
            self.next()
        } else {
            None
        }
    }
}

/// A SEQUENCE's contents.
pub fn sequence(data: &[u8]) -> Option<(Reader<'_>, &[u8])> {
    let (tlv, rest) = read(data)?;
    if tlv.tag != SEQUENCE {
        return None;
    }
    Some((tlv.reader(), rest))
}

/// Dotted form of an OID's contents.
pub fn oid_string(content: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let (a, b) = match acc {
                    0..=39 => (0, acc),
                    40..=79 => (1, acc - 40),
                    _ => (2, acc - 80),
                };
                parts.push(a);
                parts.push(b);
            } else {
                parts.push(acc);
            }
            acc = 0;
        } else if acc > (u64::MAX >> 8) || i > 64 {
            return hex::encode(content);
        }
    }
    parts
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// Does the blob start with a DER SEQUENCE whose length covers the blob (allowing trailing
/// whitespace or NULs), or a BER indefinite-length SEQUENCE? O(1).
pub fn looks_like_der(data: &[u8]) -> bool {
    if data.len() < 8 || data.first() != Some(&SEQUENCE) {
        return false;
    }
    let Some(&first) = data.get(1) else {
        return false;
    };
    let (len, header) = if first < 0x80 {
        (first as usize, 2usize)
    } else if first == 0x80 {
        // Indefinite length: plausible for BER PKCS#12; the next byte must start a TLV.
        return matches!(data.get(2), Some(0x02 | 0x30 | 0x06 | 0xa0));
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return false;
        }
        let Some(bytes) = data.get(2..2 + n) else {
            return false;
        };
        (
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize),
            2 + n,
        )
    };
    let total = header.saturating_add(len);
    // Certificates and keys are usually exactly the blob; allow a little trailing slack.
    total <= data.len() && data.len() - total <= 64 && total >= 8
}

/// Known OIDs (contents octets) and their names.
pub mod oids {
    pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
    pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    pub const DSA: &str = "1.2.840.10040.4.1";
    pub const ED25519: &str = "1.3.101.112";
    pub const ED448: &str = "1.3.101.113";
    pub const X25519: &str = "1.3.101.110";
    pub const X448: &str = "1.3.101.111";
    pub const DH: &str = "1.2.840.113549.1.3.1";
    pub const X942_DH: &str = "1.2.840.10046.2.1";
    pub const PBES2: &str = "1.2.840.113549.1.5.13";
    pub const PBKDF2: &str = "1.2.840.113549.1.5.12";
    pub const SCRYPT: &str = "1.3.6.1.4.1.11591.4.11";
    pub const DATA: &str = "1.2.840.113549.1.7.1";
    pub const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
    pub const X509_CERT_BAG: &str = "1.2.840.113549.1.9.22.1";
    pub const FRIENDLY_NAME: &str = "1.2.840.113549.1.9.20";

    /// (OID, curve name, field bits).
    pub const CURVES: &[(&str, &str, u32)] = &[
        ("1.2.840.10045.3.1.7", "P-256", 256),
        ("1.3.132.0.34", "P-384", 384),
        ("1.3.132.0.35", "P-521", 521),
        ("1.3.132.0.10", "secp256k1", 256),
        ("1.3.132.0.33", "P-224", 224),
        ("1.2.840.10045.3.1.1", "P-192", 192),
        ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", 256),
        ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1", 384),
        ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1", 512),
        ("1.2.156.10197.1.301", "SM2", 256),
    ];

    pub fn curve(oid: &str) -> Option<(&'static str, u32)> {
        CURVES.iter().find(|c| c.0 == oid).map(|c| (c.1, c.2))
    }

    pub fn curve_oid(name: &str) -> Option<&'static str> {
        CURVES.iter().find(|c| c.1 == name).map(|c| c.0)
    }

    /// Signature algorithm names as OpenSSL prints them.
    pub fn signature_name(oid: &str) -> Option<&'static str> {
        Some(match oid {
            "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
            "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
            "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
            "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
            "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
            "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
            "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
            "1.2.840.113549.1.1.10" => "rsassaPss",
            "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
            "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
            "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
            "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
            "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
            "1.2.840.10040.4.3" => "dsaWithSHA1",
            "2.16.840.1.101.3.4.3.1" => "dsa_with_SHA224",
            "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
            "1.3.101.112" => "ED25519",
            "1.3.101.113" => "ED448",
            "1.2.156.10197.1.501" => "SM2-with-SM3",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_strings() {
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
            oids::RSA_ENCRYPTION
        );
        assert_eq!(oid_string(&[0x2b, 0x65, 0x70]), oids::ED25519);
    }

    #[test]
    fn reads_indefinite_and_rejects_overruns() {
        // SEQUENCE (indefinite) { INTEGER 3 } EOC
        let ber = [0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00, 0xff];
        let (tlv, rest) = read(&ber).expect("indefinite");
        assert_eq!(tlv.value, &[0x02, 0x01, 0x03]);
        assert_eq!(rest, &[0xff]);
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]).is_none());
        assert!(read(&[0x30, 0x80, 0x30, 0x80, 0x30, 0x80]).is_none());
        assert_eq!(bit_len(&[0x00, 0x01, 0x00]), 9);
    }
}
