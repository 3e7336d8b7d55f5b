//! RSA key encodings: PKCS#1 `RSAPublicKey` / `RSAPrivateKey` (RFC 8017
//! §A.1), SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 3279 §2.3.1), PKCS#8
//! `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958), and PEM of each.

use super::{PrivateComponents, RsaPrivateKey, RsaPublicKey};
use crate::Error;
use crate::ct;
use crate::der::{self, Reader, Writer};
use crate::pem;

/// rsaEncryption, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// AlgorithmIdentifier { rsaEncryption, NULL }.
fn read_algorithm(r: &mut Reader<'_>) -> Result<(), Error> {
    let mut a = r.sequence("AlgorithmIdentifier")?;
    if a.read(der::OID, "AlgorithmIdentifier.algorithm")? != RSA_ENCRYPTION {
        return Err(Error::Unsupported { what: "key algorithm other than rsaEncryption" });
    }
    a.null("AlgorithmIdentifier.parameters")?;
    a.finish("AlgorithmIdentifier")
}

fn write_algorithm(w: &mut Writer) {
    w.sequence(|a| {
        a.element(der::OID, RSA_ENCRYPTION).element(der::NULL, &[]);
    });
}

/// Maps a PEM decoding error of a private key to one that names it.
fn pem_body(text: &str) -> Result<(String, Vec<u8>), Error> {
    pem::decode(text)
}

impl RsaPublicKey {
    /// A public key from a PKCS#1 `RSAPublicKey` in DER.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(der);
        let mut s = r.sequence("RSAPublicKey")?;
        let n = s.unsigned("RSAPublicKey.modulus")?;
        let e = s.unsigned("RSAPublicKey.publicExponent")?;
        s.finish("RSAPublicKey (extra fields)")?;
        r.finish("RSAPublicKey (trailing data)")?;
        Self::from_components(n, e)
    }

    /// A public key from a DER SubjectPublicKeyInfo with rsaEncryption.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(der);
        let mut s = r.sequence("SubjectPublicKeyInfo")?;
        read_algorithm(&mut s)?;
        let key = s.bit_string_bytes("SubjectPublicKeyInfo.subjectPublicKey")?;
        s.finish("SubjectPublicKeyInfo (extra fields)")?;
        r.finish("SubjectPublicKeyInfo (trailing data)")?;
        Self::from_pkcs1_der(key)
    }

    /// A public key from PEM: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(text: &str) -> Result<Self, Error> {
        let (label, der) = pem_body(text)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            _ => Err(Error::Unsupported { what: "PEM label for an RSA public key" }),
        }
    }

    /// The PKCS#1 `RSAPublicKey` DER.
    pub fn to_pkcs1_der(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.sequence(|s| {
            s.unsigned(&self.modulus()).unsigned(self.exponent());
        });
        w.finish()
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let mut bits = vec![0u8];
        bits.extend_from_slice(&self.to_pkcs1_der());
        let mut w = Writer::new();
        w.sequence(|s| {
            write_algorithm(s);
            s.element(der::BIT_STRING, &bits);
        });
        w.finish()
    }

    /// The SubjectPublicKeyInfo as PEM (`PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.to_spki_der())
    }
}

impl RsaPrivateKey {
    /// A private key from a PKCS#1 `RSAPrivateKey` in DER (two primes,
    /// version 0; multi-prime keys are refused).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(der);
        let mut s = r.sequence("RSAPrivateKey")?;
        match s.small_unsigned("RSAPrivateKey.version")? {
            0 => {}
            1 => return Err(Error::Unsupported { what: "multi-prime RSA keys" }),
            _ => return Err(Error::BadEncoding { field: "RSAPrivateKey.version" }),
        }
        let c = PrivateComponents {
            n: s.unsigned("RSAPrivateKey.modulus")?,
            e: s.unsigned("RSAPrivateKey.publicExponent")?,
            d: s.unsigned("RSAPrivateKey.privateExponent")?,
            p: s.unsigned("RSAPrivateKey.prime1")?,
            q: s.unsigned("RSAPrivateKey.prime2")?,
            dp: s.unsigned("RSAPrivateKey.exponent1")?,
            dq: s.unsigned("RSAPrivateKey.exponent2")?,
            qinv: s.unsigned("RSAPrivateKey.coefficient")?,
        };
        s.finish("RSAPrivateKey (extra fields)")?;
        r.finish("RSAPrivateKey (trailing data)")?;
        Self::from_components(&c)
    }

    /// A private key from a PKCS#8 `PrivateKeyInfo` (version 0, optional
    /// attributes) or `OneAsymmetricKey` (version 1, optional public key) in
    /// DER, with rsaEncryption.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(der);
        let mut s = r.sequence("PrivateKeyInfo")?;
        let version = s.small_unsigned("PrivateKeyInfo.version")?;
        if version > 1 {
            return Err(Error::BadEncoding { field: "PrivateKeyInfo.version" });
        }
        read_algorithm(&mut s)?;
        let key = s.read(der::OCTET_STRING, "PrivateKeyInfo.privateKey")?;
        if s.peek_tag() == Some(0xa0) {
            s.read(0xa0, "PrivateKeyInfo.attributes")?;
        }
        let mut public = None;
        if version == 1 && s.peek_tag() == Some(0x81) {
            public = Some(s.read(0x81, "OneAsymmetricKey.publicKey")?);
        }
        s.finish("PrivateKeyInfo (extra fields)")?;
        r.finish("PrivateKeyInfo (trailing data)")?;
        let sk = Self::from_pkcs1_der(key)?;
        // RFC 5958: the optional public key is the SPKI's BIT STRING
        // contents (an RSAPublicKey); it must be this key's.
        if let Some(bits) = public {
            let bad = Error::BadEncoding { field: "OneAsymmetricKey.publicKey" };
            let [0, rsa_public @ ..] = bits else { return Err(bad) };
            let mine = sk.public.to_pkcs1_der();
            if rsa_public != mine.as_slice() {
                return Err(bad);
            }
        }
        Ok(sk)
    }

    /// The PKCS#1 `RSAPrivateKey` DER (version 0). Contains the secret key:
    /// wipe it when done.
    pub fn to_pkcs1_der(&self) -> Vec<u8> {
        let k = self.size();
        let limbs_be = |l: &[u64], len: usize| {
            let mut out = vec![0u8; len];
            crate::bigint::limbs_to_be(l, &mut out);
            out
        };
        let (plen, qlen) = (self.p.byte_len(), self.q.byte_len());
        let mut p = vec![0u8; plen];
        self.p.write_be_bytes(&mut p);
        let mut q = vec![0u8; qlen];
        self.q.write_be_bytes(&mut q);
        let mut parts = [
            limbs_be(&self.d, k),
            p,
            q,
            limbs_be(&self.dp, plen),
            limbs_be(&self.dq, qlen),
            limbs_be(self.p.elem_limbs(&self.qinv), plen),
        ];
        let mut w = Writer::new();
        w.sequence(|s| {
            s.unsigned(&[]).unsigned(&self.public.modulus()).unsigned(self.public.exponent());
            for part in &parts {
                s.unsigned(part);
            }
        });
        for part in parts.iter_mut() {
            ct::wipe(part);
        }
        w.finish()
    }

    /// The PKCS#8 `PrivateKeyInfo` DER (version 0). Contains the secret key.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        let mut inner = self.to_pkcs1_der();
        let mut w = Writer::new();
        w.sequence(|s| {
            s.unsigned(&[]);
            write_algorithm(s);
            s.element(der::OCTET_STRING, &inner);
        });
        ct::wipe(&mut inner);
        w.finish()
    }

    /// The PKCS#8 key as PEM (`PRIVATE KEY`). Contains the secret key.
    pub fn to_pem(&self) -> String {
        let mut der = self.to_pkcs8_der();
        let pem = pem::encode("PRIVATE KEY", &der);
        ct::wipe(&mut der);
        pem
    }

    /// A private key from PEM: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY`
    /// (PKCS#1). Encrypted PEM is refused.
    pub fn from_pem(text: &str) -> Result<Self, Error> {
        let (label, mut der) = pem_body(text)?;
        let key = match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            _ => Err(Error::Unsupported { what: "PEM label for an RSA private key" }),
        };
        ct::wipe(&mut der);
        key
    }
}
