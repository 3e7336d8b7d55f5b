//! PEM (RFC 7468, strict textual encoding) and base64 (RFC 4648 §4).
//!
//! Base64 is decoded without tables or branches on the data, since PEM often
//! carries private keys; only the positions of line breaks and padding, which
//! are public, affect control flow.

use crate::Error;
use crate::ct;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a base64 character, or all-ones in bit 8 when invalid.
fn decode_char(c: u8) -> u32 {
    // Constant time: range tests by masks, no lookups.
    let c = u32::from(c);
    let in_range = |lo: u32, hi: u32| -> u32 {
        // all ones when lo <= c <= hi
        let below = ct::lt_mask_u64(u64::from(c), u64::from(lo)) as u32;
        let above = ct::lt_mask_u64(u64::from(hi), u64::from(c)) as u32;
        !(below | above)
    };
    let mut v = 0u32;
    let mut ok = 0u32;
    let upper = in_range(b'A'.into(), b'Z'.into());
    let lower = in_range(b'a'.into(), b'z'.into());
    let digit = in_range(b'0'.into(), b'9'.into());
    let plus = ct::eq_mask_u32(c, b'+'.into());
    let slash = ct::eq_mask_u32(c, b'/'.into());
    v |= upper & c.wrapping_sub(65);
    v |= lower & c.wrapping_sub(71);
    v |= digit & c.wrapping_add(4);
    v |= plus & 62;
    v |= slash & 63;
    ok |= upper | lower | digit | plus | slash;
    (v & 0x3f) | (!ok & 0x100)
}

/// Decodes padded base64, ignoring ASCII whitespace. Rejects bad characters,
/// bad padding and nonzero unused bits.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Error> {
    let bad = Error::BadEncoding { field: "base64" };
    let mut chars: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !chars.len().is_multiple_of(4) {
        ct::wipe(&mut chars);
        return Err(bad);
    }
    let pad = chars.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        ct::wipe(&mut chars);
        return Err(bad);
    }
    let body_len = chars.len() - pad;
    let mut out = Vec::with_capacity(body_len * 3 / 4);
    let mut acc = 0u32;
    let mut invalid = 0u32;
    for (i, &c) in chars[..body_len].iter().enumerate() {
        let v = decode_char(c);
        invalid |= v & 0x100;
        acc = (acc << 6) | (v & 0x3f);
        if i % 4 == 3 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            acc = 0;
        }
    }
    // The final partial group: 2 characters give 1 byte, 3 give 2.
    match body_len % 4 {
        0 => {}
        2 => {
            invalid |= acc & 0xf;
            out.push((acc >> 4) as u8);
        }
        3 => {
            invalid |= acc & 0x3;
            out.extend_from_slice(&((acc >> 2) as u16).to_be_bytes());
        }
        _ => invalid |= 1,
    }
    if pad > 0 && body_len % 4 != 4 - pad {
        invalid |= 1;
    }
    ct::wipe(&mut chars);
    if invalid != 0 {
        ct::wipe(&mut out);
        return Err(bad);
    }
    Ok(out)
}

/// Encodes bytes as padded base64 on one line.
pub fn base64_encode(data: &[u8]) -> String {
    // Constant time: the alphabet is read in full for every character.
    let pick = |v: u32| -> char {
        let mut c = 0u8;
        for (j, &a) in ALPHABET.iter().enumerate() {
            c |= a & (ct::eq_mask_u32(j as u32, v) as u8);
        }
        char::from(c)
    };
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let mut b = [0u8; 3];
        b[..chunk.len()].copy_from_slice(chunk);
        let v = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for k in 0..4 {
            if k <= chunk.len() {
                s.push(pick((v >> (18 - 6 * k)) & 0x3f));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Decodes the first PEM block of `text`: returns its label and contents.
/// Text before the block is ignored (RFC 7468 §2); headers (encrypted PEM)
/// are refused.
pub fn decode(text: &str) -> Result<(String, Vec<u8>), Error> {
    let bad = |field| Error::BadEncoding { field };
    let begin = text.find("-----BEGIN ").ok_or(bad("PEM BEGIN line"))?;
    let rest = &text[begin + 11..];
    let end_label = rest.find("-----").ok_or(bad("PEM BEGIN line"))?;
    let label = &rest[..end_label];
    if label.contains(['\n', '\r']) || label.contains("-----") {
        return Err(bad("PEM label"));
    }
    let body_start = &rest[end_label + 5..];
    let end_line = format!("-----END {label}-----");
    let end = body_start.find(&end_line).ok_or(bad("PEM END line"))?;
    let body = &body_start[..end];
    if body.contains(':') {
        return Err(Error::Unsupported { what: "PEM headers (encrypted PEM)" });
    }
    let der = base64_decode(body).map_err(|_| bad("PEM base64 body"))?;
    Ok((label.to_string(), der))
}

/// Encodes `der` as a PEM block with `label`, 64 characters per line.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        s.push_str(core::str::from_utf8(line).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (raw, enc) in cases {
            assert_eq!(base64_encode(raw), enc);
            assert_eq!(base64_decode(enc).unwrap(), raw);
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
        for bad in ["Zg=", "Zh==", "Zm9=", "Z===", "Zm9v=", "Zm!v", "=Zm9", "Zg==Zg==", "Zm8=Zm8="] {
            assert!(base64_decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pem_blocks() {
        let pem = encode("PUBLIC KEY", &[1, 2, 3, 250]);
        let (label, der) = decode(&format!("comment\n{pem}")).unwrap();
        assert_eq!((label.as_str(), der.as_slice()), ("PUBLIC KEY", &[1u8, 2, 3, 250][..]));
        assert!(decode("-----BEGIN X-----\nAQID\n-----END Y-----\n").is_err());
        assert!(decode("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAQID\n-----END X-----\n").is_err());
        assert!(decode("no pem here").is_err());
    }
}
