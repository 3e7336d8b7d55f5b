//! A small strict DER reader and writer (ITU-T X.690 §8 and §10): definite
//! minimal lengths, single-byte tags, minimal positive INTEGERs, and nothing
//! left over. Enough for RSA keys (PKCS#1, PKCS#8, SPKI).
//!
//! Every error is `Error::BadEncoding` naming the field being read.

use crate::Error;

/// Tag of INTEGER.
pub const INTEGER: u8 = 0x02;
/// Tag of BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// Tag of OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// Tag of NULL.
pub const NULL: u8 = 0x05;
/// Tag of OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// Tag of SEQUENCE (constructed).
pub const SEQUENCE: u8 = 0x30;

/// Reads DER elements from a byte string, front to back.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one element: its tag and contents.
    pub fn read_any(&mut self, field: &'static str) -> Result<(u8, &'a [u8]), Error> {
        let bad = Error::BadEncoding { field };
        let (&tag, rest) = self.data.split_first().ok_or(bad)?;
        if tag & 0x1f == 0x1f {
            return Err(bad); // multi-byte tags are not used here
        }
        let (&first, mut rest) = rest.split_first().ok_or(bad)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            // 0x80 is the indefinite form (BER only); more than 4 length
            // bytes cannot be a real key.
            if n == 0 || n > 4 || rest.len() < n {
                return Err(bad);
            }
            let (lb, r) = rest.split_at(n);
            rest = r;
            if lb[0] == 0 {
                return Err(bad); // not minimal
            }
            let len = lb.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(bad); // should have used the short form
            }
            len
        };
        if rest.len() < len {
            return Err(bad);
        }
        let (value, rest) = rest.split_at(len);
        self.data = rest;
        Ok((tag, value))
    }

    /// Reads one element that must have tag `tag`.
    pub fn read(&mut self, tag: u8, field: &'static str) -> Result<&'a [u8], Error> {
        match self.read_any(field)? {
            (t, v) if t == tag => Ok(v),
            _ => Err(Error::BadEncoding { field }),
        }
    }

    /// Reads a SEQUENCE and returns a reader over its contents.
    pub fn sequence(&mut self, field: &'static str) -> Result<Reader<'a>, Error> {
        self.read(SEQUENCE, field).map(Reader::new)
    }

    /// Reads a non-negative INTEGER in minimal form; returns its magnitude
    /// without the sign byte (empty for zero).
    pub fn unsigned(&mut self, field: &'static str) -> Result<&'a [u8], Error> {
        let bad = Error::BadEncoding { field };
        let v = self.read(INTEGER, field)?;
        match v {
            [] => Err(bad),
            [b, ..] if b & 0x80 != 0 => Err(bad), // negative
            [0] => Ok(&v[1..]),
            [0, b, ..] if b & 0x80 == 0 => Err(bad), // not minimal
            [0, rest @ ..] => Ok(rest),
            _ => Ok(v),
        }
    }

    /// Reads a small non-negative INTEGER (such as a version).
    pub fn small_unsigned(&mut self, field: &'static str) -> Result<u64, Error> {
        let v = self.unsigned(field)?;
        if v.len() > 8 {
            return Err(Error::BadEncoding { field });
        }
        Ok(v.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Reads a NULL.
    pub fn null(&mut self, field: &'static str) -> Result<(), Error> {
        match self.read(NULL, field)? {
            [] => Ok(()),
            _ => Err(Error::BadEncoding { field }),
        }
    }

    /// Reads a BIT STRING with no unused bits; returns its bytes.
    pub fn bit_string_bytes(&mut self, field: &'static str) -> Result<&'a [u8], Error> {
        match self.read(BIT_STRING, field)? {
            [0, rest @ ..] => Ok(rest),
            _ => Err(Error::BadEncoding { field }),
        }
    }

    /// Fails unless everything was read.
    pub fn finish(&self, field: &'static str) -> Result<(), Error> {
        if self.data.is_empty() { Ok(()) } else { Err(Error::BadEncoding { field }) }
    }
}

/// Builds DER into a byte vector.
#[cfg(feature = "std")]
#[derive(Clone, Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

#[cfg(feature = "std")]
impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Appends an element with the given tag and contents.
    pub fn element(&mut self, tag: u8, value: &[u8]) -> &mut Self {
        self.out.push(tag);
        let len = value.len();
        if len < 0x80 {
            self.out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
            self.out.push(0x80 | (bytes.len() - skip) as u8);
            self.out.extend_from_slice(&bytes[skip..]);
        }
        self.out.extend_from_slice(value);
        self
    }

    /// Appends a non-negative INTEGER from big-endian magnitude bytes
    /// (leading zeros are removed, a sign byte is added when needed).
    pub fn unsigned(&mut self, magnitude: &[u8]) -> &mut Self {
        let start = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
        let m = &magnitude[start..];
        let mut v = Vec::with_capacity(m.len() + 1);
        if m.first().is_none_or(|&b| b & 0x80 != 0) {
            v.push(0);
        }
        v.extend_from_slice(m);
        self.element(INTEGER, &v);
        crate::ct::wipe(&mut v);
        self
    }

    /// Appends a SEQUENCE whose contents `inner` writes.
    pub fn sequence(&mut self, inner: impl FnOnce(&mut Writer)) -> &mut Self {
        let mut w = Writer::new();
        inner(&mut w);
        self.element(SEQUENCE, &w.out);
        crate::ct::wipe(&mut w.out);
        self
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(Reader::new(&[0x02, 0x01, 0x05]).unsigned("x"), Ok(&[5u8][..]));
        assert_eq!(Reader::new(&[0x02, 0x02, 0x00, 0x80]).unsigned("x"), Ok(&[0x80u8][..]));
        assert_eq!(Reader::new(&[0x02, 0x01, 0x00]).unsigned("x"), Ok(&[][..]));
        for bad in [
            &[0x02, 0x00][..],               // empty INTEGER
            &[0x02, 0x01, 0x80],             // negative
            &[0x02, 0x02, 0x00, 0x05],       // non-minimal
            &[0x02, 0x81, 0x01, 0x05],       // long form for a short length
            &[0x02, 0x80, 0x05, 0x00, 0x00], // indefinite
            &[0x02, 0x02, 0x05],             // truncated
            &[0x04, 0x01, 0x05],             // wrong tag
            &[0x1f, 0x01, 0x05],             // multi-byte tag
            &[0x02, 0x82, 0x00, 0x81],       // leading zero length byte
        ] {
            assert!(Reader::new(bad).unsigned("x").is_err(), "{bad:02x?}");
        }
        #[cfg(feature = "std")]
        for len in [0usize, 1, 127, 128, 255, 256, 70000] {
            let mut w = Writer::new();
            w.element(OCTET_STRING, &vec![7u8; len]);
            let der = w.finish();
            let mut r = Reader::new(&der);
            assert_eq!(r.read(OCTET_STRING, "x").unwrap().len(), len);
            r.finish("x").unwrap();
        }
    }
}
