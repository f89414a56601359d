//! OpenPGP packet framing (RFC 4880 §4.2): the tag and lengths at the front of a packet.
//!
//! Both the key inventory (`crypto::pgp`) and the encrypted-message detector need to step over
//! packets; one reader keeps their idea of a packet boundary the same. Each caller decides what
//! to do with partial and indeterminate lengths.

/// How long a packet's body is, as its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLen {
    Known(usize),
    /// New format, lengths 224..=254: the body comes in chunks.
    Partial,
    /// Old format, length type 3: the body runs to the end of the data.
    Indeterminate,
}

/// Packet header at the front of `data`: (tag, header length, body length).
pub(crate) fn read_header(data: &[u8]) -> Option<(u8, usize, BodyLen)> {
    let b = *data.first()?;
    if b & 0x80 == 0 {
        return None;
    }
    let known = BodyLen::Known;
    if b & 0x40 == 0 {
        let tag = (b >> 2) & 0x0f;
        match b & 3 {
            0 => Some((tag, 2, known(usize::from(*data.get(1)?)))),
            1 => {
                let l: [u8; 2] = data.get(1..3)?.try_into().ok()?;
                Some((tag, 3, known(usize::from(u16::from_be_bytes(l)))))
            }
            2 => {
                let l: [u8; 4] = data.get(1..5)?.try_into().ok()?;
                Some((tag, 5, known(usize::try_from(u32::from_be_bytes(l)).ok()?)))
            }
            _ => Some((tag, 1, BodyLen::Indeterminate)),
        }
    } else {
        let tag = b & 0x3f;
        let l0 = usize::from(*data.get(1)?);
        match l0 {
            0..=191 => Some((tag, 2, known(l0))),
            192..=223 => Some((
                tag,
                3,
                known(((l0 - 192) << 8) + usize::from(*data.get(2)?) + 192),
            )),
            255 => {
                let l: [u8; 4] = data.get(2..6)?.try_into().ok()?;
                Some((tag, 6, known(usize::try_from(u32::from_be_bytes(l)).ok()?)))
            }
            _ => Some((tag, 2, BodyLen::Partial)),
        }
    }
}

/// [`read_header`] with partial and indeterminate lengths both as `None`: the shape the
/// encrypted-message detector (`ciphertext::openpgp`) uses.
pub(crate) fn packet_header(data: &[u8]) -> Option<(u8, usize, Option<usize>)> {
    read_header(data).map(|(tag, hlen, body)| match body {
        BodyLen::Known(n) => (tag, hlen, Some(n)),
        BodyLen::Partial | BodyLen::Indeterminate => (tag, hlen, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_format_lengths() {
        assert_eq!(
            read_header(&[0x99, 0x01, 0x0d]),
            Some((6, 3, BodyLen::Known(269)))
        );
        assert_eq!(read_header(&[0x98, 5]), Some((6, 2, BodyLen::Known(5))));
        assert_eq!(
            read_header(&[0x9b, 1, 2]),
            Some((6, 1, BodyLen::Indeterminate))
        );
        assert_eq!(read_header(&[0xc6, 100]), Some((6, 2, BodyLen::Known(100))));
        assert_eq!(
            read_header(&[0xc6, 0xc0, 0x00]),
            Some((6, 3, BodyLen::Known(192)))
        );
        assert_eq!(read_header(&[0xd2, 0xe0]), Some((18, 2, BodyLen::Partial)));
        assert_eq!(packet_header(&[0xd2, 0xe0]), Some((18, 2, None)));
        assert_eq!(
            read_header(&[0xc6, 0xff, 0, 0, 1, 0]),
            Some((6, 6, BodyLen::Known(256)))
        );
        assert_eq!(read_header(&[0x46, 1]), None);
        assert_eq!(read_header(&[0xc6]), None);
    }
}
