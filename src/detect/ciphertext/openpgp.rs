//! OpenPGP messages: binary at offset 0 (ESK packets, then encrypted data) and `PGP MESSAGE`
//! armour (whose first packet must be an ESK: signed-only and compressed messages use the same
//! armour). Recipients are the key ids and fingerprints PKESK packets name.

use super::armour::armour_body;
use super::{Ciphertext, CiphertextKind, MAX_ARMOUR_B64, MAX_HITS, found};
use crate::detect::encoding::decode_std_prefix;
use crate::detect::openpgp_frame::packet_header;
use memchr::memmem;

/// ESK packets read per message at most.
const MAX_ESK: usize = 1024;

/// A binary message: ESK packets from offset 0, then an encrypted-data packet.
pub(super) fn binary(data: &[u8]) -> Option<Ciphertext> {
    let ids = openpgp_esk(data, false)?;
    Some(found(CiphertextKind::OpenpgpMessage, 0, ids))
}

/// The armour's BEGIN line (also used by signed-only and compressed messages).
pub(super) const ARMOUR: &[u8] = b"-----BEGIN PGP MESSAGE-----";

/// Every `PGP MESSAGE` armour block whose body starts with an ESK packet.
pub(super) fn armoured(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, ARMOUR).take(MAX_HITS) {
        let body = armour_body(data, at + ARMOUR.len(), MAX_ARMOUR_B64);
        let Some(bytes) = decode_std_prefix(&body) else {
            continue;
        };
        if let Some(ids) = openpgp_esk(&bytes, true) {
            out.push(found(CiphertextKind::OpenpgpMessage, at, ids));
        }
    }
}

/// Public-key algorithms that can appear in a PKESK (RSA, RSA-E, Elgamal, ECDH, EdDSA as the
/// brief lists it, X25519, X448).
fn pkesk_algo(a: u8) -> bool {
    matches!(a, 1 | 2 | 16 | 18 | 22 | 25 | 26)
}

/// Symmetric algorithms (IDEA … Camellia-256).
fn sym_algo(a: u8) -> bool {
    matches!(a, 1..=4 | 7..=13)
}

/// Recipient named by a PKESK body: `Ok(None)` for a wildcard, `Err` if the body is not a PKESK.
fn pkesk(body: &[u8]) -> Result<Option<String>, ()> {
    match body.first() {
        Some(3) => {
            let id = body.get(1..9).ok_or(())?;
            let algo = *body.get(9).ok_or(())?;
            if !pkesk_algo(algo) || body.len() < 12 {
                return Err(());
            }
            Ok((id.iter().any(|b| *b != 0)).then(|| hex::encode_upper(id)))
        }
        Some(6) => {
            let n = usize::from(*body.get(1).ok_or(())?);
            let algo = *body.get(2 + n).ok_or(())?;
            if !pkesk_algo(algo) || body.len() < 2 + n + 3 {
                return Err(());
            }
            match (n, body.get(2)) {
                (0, _) => Ok(None),
                (21, Some(4)) => Ok(body.get(3..23).map(hex::encode_upper)),
                (33, Some(6)) => Ok(body.get(3..11).map(hex::encode_upper)),
                _ => Err(()),
            }
        }
        _ => Err(()),
    }
}

fn skesk(body: &[u8]) -> bool {
    match body.first() {
        Some(4) => {
            body.len() >= 4
                && body.get(1).is_some_and(|a| sym_algo(*a))
                && body.get(2).is_some_and(|s| matches!(s, 0 | 1 | 3 | 4))
        }
        Some(5 | 6) => {
            body.len() >= 6
                && body.get(2).is_some_and(|a| sym_algo(*a))
                && body.get(3).is_some_and(|a| matches!(a, 1..=3))
        }
        _ => false,
    }
}

/// If `data` starts with ESK packets, the recipients they name. Binary (`lenient == false`)
/// also needs the encrypted-data packet after them; an armour body (whose decoding may be capped)
/// only needs one valid ESK packet.
fn openpgp_esk(data: &[u8], lenient: bool) -> Option<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let mut pos = 0usize;
    for n in 0..MAX_ESK {
        let rest = data.get(pos..)?;
        if rest.is_empty() {
            return (lenient && n > 0).then_some(ids);
        }
        let Some((tag, hlen, blen)) = packet_header(rest) else {
            return (lenient && n > 0).then_some(ids);
        };
        match tag {
            1 | 3 => {
                let blen = blen?;
                let body = rest.get(hlen..hlen.checked_add(blen)?)?;
                if tag == 1 {
                    if let Some(id) = pkesk(body).ok()? {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                } else if !skesk(body) {
                    return None;
                }
                pos = pos.checked_add(hlen + blen)?;
            }
            9 | 18 | 20 if n > 0 => return Some(ids),
            _ => return (lenient && n > 0).then_some(ids),
        }
    }
    lenient.then_some(ids)
}

/// Is `data` an OpenPGP stream of something other than encrypted data (a keyring, a signature,
/// signed or compressed data)? Checks the first packet's tag and version byte.
pub(super) fn openpgp_not_encrypted(data: &[u8]) -> bool {
    let Some((tag, hlen, _)) = packet_header(data) else {
        return false;
    };
    let Some(&first) = data.get(hlen) else {
        return false;
    };
    match tag {
        2 => matches!(first, 3..=6),
        4 => matches!(first, 3 | 6),
        5 | 6 | 7 | 14 => matches!(first, 3..=6),
        8 => matches!(first, 0..=3),
        11 => matches!(first, b'b' | b't' | b'u' | b'l' | b'1' | b'm'),
        _ => false,
    }
}
