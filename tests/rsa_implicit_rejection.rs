//! RSAES-PKCS1-v1_5 decryption with implicit rejection against the test
//! vectors of draft-irtf-cfrg-rsa-guidance, Appendix B
//! (`vectors/rfc/rsa-guidance-implicit-rejection.txt`): four keys (2048, 2049,
//! 3072 and 4096 bits) with 12 ciphertexts each, valid ones and ones whose
//! padding is wrong, each with the exact message decryption must return, on
//! every big-integer backend this build implements and this CPU runs.

mod common;

use common::Tally;
use ironseal::Error;
use ironseal::bigint;
use ironseal::cpu::{Backend, Primitive};
use ironseal::der;
use ironseal::hmac::Hmac;
use ironseal::rsa::RsaPrivateKey;
use ironseal::sha2::Sha256;

const FILE: &str = "rfc/rsa-guidance-implicit-rejection.txt";

/// Backends to test: every one this CPU offers that this build implements.
fn backends() -> Vec<Backend> {
    let all = common::backends(Primitive::BigInt);
    all.into_iter().filter(|b| bigint::IMPLEMENTED.contains(b)).collect()
}

/// One key of the appendix.
struct Key {
    section: String,
    name: String,
    bits: usize,
    pem: String,
}

/// One ciphertext of the appendix and the message it must decrypt to.
struct Case {
    section: String,
    id: String,
    title: String,
    ct: Vec<u8>,
    msg: Vec<u8>,
}

/// Every key and case of the file; each field is read (the reader fails on
/// one left unread).
fn read_file() -> (Vec<Key>, Vec<Case>) {
    let (mut keys, mut cases) = (Vec::new(), Vec::new());
    for mut r in common::cavp_with_pem(FILE) {
        let section = r.get("Section");
        if r.has("PRIVATE KEY") {
            keys.push(Key { name: r.get("Key"), bits: r.num("Bits"), pem: r.get("PRIVATE KEY"), section });
        } else {
            let id = r.get("Case");
            assert!(id.starts_with(&format!("{section}.")), "{}: case {id} outside {section}", r.origin);
            let (title, ct, msg) = (r.get("Title"), r.hex("Ciphertext"), r.hex("Message"));
            cases.push(Case { section, id, title, ct, msg });
        }
    }
    (keys, cases)
}

#[test]
fn draft_appendix_b_vectors() {
    let (keys, cases) = read_file();
    // The appendix: B.1 to B.4, one key and 12 cases each.
    let sections: Vec<&str> = keys.iter().map(|k| k.section.as_str()).collect();
    assert_eq!(sections, ["B.1", "B.2", "B.3", "B.4"]);
    assert_eq!(keys.iter().map(|k| k.bits).collect::<Vec<_>>(), [2048, 2049, 3072, 4096]);
    assert_eq!(cases.len(), 48);
    let mut tally = Tally::default();
    for be in backends() {
        for key in &keys {
            let sk = RsaPrivateKey::from_pem(&key.pem)
                .and_then(|sk| sk.with_backend(be))
                .unwrap_or_else(|e| panic!("{} {}: {e:?}", key.section, key.name));
            assert_eq!(sk.public_key().bits(), key.bits, "{} {}", key.section, key.name);
            let k = sk.size();
            let mine: Vec<&Case> = cases.iter().filter(|c| c.section == key.section).collect();
            assert_eq!(mine.len(), 12, "{}", key.section);
            for c in mine {
                let what = format!("{} {:?} ({}) [{be}]", c.id, c.title, key.name);
                assert_eq!(c.ct.len(), k, "{what}: ciphertext length");
                let got = sk.decrypt_pkcs1v15(&c.ct).unwrap_or_else(|e| panic!("{what}: {e:?}"));
                assert_eq!(common::hex(&got), common::hex(&c.msg), "{what}");
                // The case named for it reaches the largest synthetic length
                // the draft allows, k - 11.
                if c.title == "Invalid decrypting to max size" {
                    assert_eq!(got.len(), k - 11, "{what}");
                }
                tally.pass(&format!("{FILE} {} ({})", key.section, key.name), be.name());
            }
        }
    }
    assert_eq!(tally.report(), 48 * backends().len());
}

/// The draft's step 1 and RSADP's range check, the only errors decryption
/// gives: a ciphertext that is not k bytes long, or not below n.
#[test]
fn public_errors_only() {
    let (keys, cases) = read_file();
    for key in &keys {
        let sk = RsaPrivateKey::from_pem(&key.pem).unwrap();
        let k = sk.size();
        let ct = &cases.iter().find(|c| c.section == key.section).unwrap().ct;
        for len in [0, k - 1, k + 1] {
            let mut c = ct.clone();
            c.resize(len, 0);
            assert!(
                matches!(sk.decrypt_pkcs1v15(&c), Err(Error::BadLength { .. })),
                "{}: a {len}-byte ciphertext",
                key.section
            );
        }
        let n = sk.public_key().modulus();
        let mut n_k = vec![0u8; k - n.len()];
        n_k.extend_from_slice(&n);
        assert!(sk.decrypt_pkcs1v15(&n_k).is_err(), "{}: ciphertext n", key.section);
        assert!(sk.decrypt_pkcs1v15(&vec![0xff; k]).is_err(), "{}: ciphertext 2^8k - 1", key.section);
    }
}

/// Keys made for this test with `openssl genpkey -algorithm RSA -pkeyopt
/// rsa_keygen_bits:<bits>` where the candidate mask is at an edge, which
/// the appendix keys do not reach: 1112 and 2136 bits (k = 139 and 267),
/// where k - 11 is a power of two (128, 256) and the mask (the bit length of
/// k - 10) keeps one bit more than k - 11 rounded up to a power of two; and
/// 1104 and 2128 bits (k = 138 and 266), where k - 10 is a power of two and
/// the mask keeps one bit more than the bit length of k - 11.
const EDGE_KEYS: [(usize, &str); 4] = [
    (
        1112,
        r"-----BEGIN PRIVATE KEY-----
MIICpwIBADANBgkqhkiG9w0BAQEFAASCApEwggKNAgEAAoGMAOXfKJby2M6UHMyn
ttlDAINOpQAOd8itpFFpmvVWCqxjzDPmAQTIFMc6G5tzoqs7rRleOEaLQDZ0ujUD
XVIFIeOMxBL/jrRLdQzc8TtQvl5CmKrKy6jOcckAMCYOEPzVj9rbzlP4lTogoWMV
EdPbvDJ+BSWrVYOrPErpYsOG7kqos8exuPSB/XQkgFcCAwEAAQKBiyEVNOpEmR9i
AaMSoCY0lmZPcz/G1UZ0dymgYUTd1TtqQYFWoN7nTNY/bqm4wriSJh94h/DfKaas
tf/bNBsR0gbFw5JYZVUAJeWY2y9iwHOx4b9kQjUj2I2KbqAYqpYcnoi9g1s0abrE
fdDQ9aOmxDe9gfAkTGz5KD8jiRQ0ipVkVE7GSSIL1sjVh4ECRg9KbpBX8/gpNLKJ
LJIq8jD5d8/FxjAl4Q22lyZ9XtGHcw8qZ6ZCuZETfQOJpULVUOxqmxsHI/qNNsVp
SpmiJWqOQujQZy8CRg8Ii94LzsoM1bWmKrRc7dc0y3griSi8QOdTZEHUceDmr4sz
OWBbLjqg8wKc0wfL5+UNPpm9+mUopogZlWQOfkA1f1txL1kCRgdvXuGrEsNZbfle
QCD25vsvYrXR6jOhR5R+c3LQxVlG7oiySuIKUeccPc6JkKU1ynqav77dsv3yym4l
a5PWxzDP6fMA2xsCRgDT7qferJeR1172dJmUGIDmZmIKu7XjkAttGzNI2LCS443d
10YIH2aZIGi/bBuczfteHFlpDdXuRCVwizqEVc2BZK8Lb5kCRgRQpe9GVlJLPdOT
dhWqcUcUR4ECetY4Li9ypuxKI6O79Fy1e4O7sO5mwUtGhrLzFIxyYqbTpsP8EcqX
We2Y+Yh+R8z7wbs=
-----END PRIVATE KEY-----
",
    ),
    (
        2136,
        r"-----BEGIN PRIVATE KEY-----
MIIE7gIBADANBgkqhkiG9w0BAQEFAASCBNgwggTUAgEAAoIBDACkF3DXekhjC/zZ
UqE3fj1zQXodupwyfql5z7TrAeRA5dj2nnucyPDf6vyKfhUjwgHWVGjLQokPMH98
ceTq170BaRPwJkX4yaYk7l+OkFF3+r76AtHWPxPlkJor+QEOSknYBp6O7F4uUCep
SfPho5LjQ6rDW3ZEeAIuC2spJZsN3hQ/HvpdQZGoOk0cf5qrX31nHCJtGe83z2GZ
UeHKvfssw3arNK8LFv/3Y2+FlQoP476NKkKarpwQXXbcq0tUof4P0kzd0zGfO/V6
waSl3w2vgsUD1WhwTJQ1MBzFiCVkq1O61b1Ufi/EDPMtiOVSV1QhJlw4SVgTxYBp
cEgC3IItfhHK+SY7dbixphsCAwEAAQKCAQs03S5n5QfUDQUhGHtCzwNKEeKfGEMB
C4ha630cJwhblhD/ZtBpEt1zLhe9IGB8HCEOZTQ7o4xXXeb8dw7qT6WfAjS/rfzl
6UUC6d7UJY9xiVEkZ2slzD2DPEJG/1oFOg6vL3a+kczHu+ADLIWLAHEukVq+xEUG
Sulc3yXfZDOfVJgOO9Mp1td5vRWTHQgxEDupvH91N/J+r8d8ta5rovjCJSQECujp
Pikaat6gZaOULeJCUf+dF0CGXWdbnRMe+LFOVmfEnsorMmMOA8/X3cdfIhfVaweP
c/a7imbf5EezoTLP8sLl+wFcgp+U+HZBwQGs5E08X/s7vPp3/vPL5VTE7+PuQhIf
p6+kbm0CgYYNNUSoHJoKGg5A+Q/lxN4m54eD9MMhLK69fviz4V2gD0Z2RpFUWUDD
KLv8Q92I5/l6RiI2aoUaxSHysk8j18gmT1iDF89XRgEoDtXZgE8a5tAPHWUnqPWh
96pnyXtuCUSmfaDisHN5HMx9sI3oPMWJGPBc3W5xViWmqVBoF32DjuNt9y0KTQKB
hgxsb3JbkzPGg0zQNPIAr0zCEliBf2qC9O457VAj+Zwz5xkiAXPZzffKA4EREC2X
iD8yvgX/vOry/pq0UulrcGARoWExhVUqNoclyNULv7ixpaEcV6F1RQSlwOW65CPG
dWPfzkdOCcnnjEd8WioujDd+gCfq0KNqhXFAVB1PEoOPgJpIQtYHAoGGA4AFNKN3
soubEV6u9s2HrTmXsMEw4F6t46t9DnX/UIYbvwYORxLr1Yu63SvCzh/i/aMON+tc
YG6zA1R7Il1xPa2zH/I0UMVNUyczRlL5I4Dcy9SXVL4ycXxnHN/IpK0yEwihlND7
mLGoAvrBcDSCiEUilQlc1g3lJlgh5aOr8CvyWtawidUCgYYEKU4rQAFOlm/kitkx
NomBbIA4pSfIxZTFNyIGdgZmC/ycrodOBua22TPTR6PjoZ5BjP2ZhNAC4uHlcAFV
rmc1xrIHnE7M+BbLrhxXQFg3xUl1bcjsjBtSMzMpwDAqy48GpTCzMbCVsLmMOFr7
Rhwxem3y8PRxyHxqMuH570KETs0E4K+CgQKBhgWITqANfToGQj+BCBQwzbAiyr6X
D9YiFJuMwkzWQZtFU6ER0oP8MoDjTq6SWmaCcAD6BVMZkcjfkICtrLIqGd54LJOg
VJFuN4muUQ2GfPQcv42HlcsZ8sOQrynwYWvYhguCTTzVH73prILYAppeGZDAHxHu
ReqWw30G516mMC431eTm+hJ3
-----END PRIVATE KEY-----
",
    ),
    (
        1104,
        r"-----BEGIN PRIVATE KEY-----
MIICpAIBADANBgkqhkiG9w0BAQEFAASCAo4wggKKAgEAAoGLALEf3s/5ZgUDLLdG
ltznuD8rR8xwd31BHB9WnOwisQXa+XVDBEM7F/eyy43uJKrO+j5N51GLADChgIUd
iN6KtFJhJGYQ1NOsrOiTVQbDSiaYIiFQiqJ0lb86Pn4qaZcEYyOEa7bfB4b9Paq+
fDmP1GsOykD1d+Ra8wsHJ1UOn91XxLN2pDkgmHspSwIDAQABAoGLAJ1LiDt5Z7gb
0aIQ9fjHbz/p16EeX37ES40pBcJOLJbel5ojIa3y1J4MEejBC58EoAakeEBaCJkn
U1Ljn6DB3NEro39ggaXnqq0VZoGT+K0F2gOUWsAOpjDvnOsl+ywiH/kmWEIs4Ktz
qM+NTasoAHY9CIUlteQW24CA2bJZDnpr6EE19ZX3aJECQQJGANyRSmYE13NFJRED
lgglL0ra4VzGIOsS+CMEJjiqtHHk13fw/356utLwp+xO0ALeWzLQ/vw+MnqKQXlw
GnbXxh+7CqR+1QJGAM2UAplb1nfSw7ZCfaEclbOLCdxJndyNr4RpME4pRaRRIJL8
z7NUD2mxhsw/Qvf3ZLetEuLZl1ejFcewwiSPJLTN915XnwJFARt1nSd/EWQSeJBl
C2tsXlrU8MtJ1QRGXJ6jtnsc5sl4T3DVR4RENdThcu0+XBVTreCgtxF03WqeQ4bN
izUwGG6u8f51AkVl6/fN6MZP6eK2PgjjE7T0qv5chPMLIgPe9ffJCJVKfh5UQZsI
Iajykd1u7f5ZygHZPqmaZp6uCGEH/A6E6aMdMPBviakCRgC7c2M+LMjF6UlQXy3+
5+/sUMthIgdopqskkEADBOW8Fks9wuAT6O6utf6qV8vHerH4NH/hTVCZvEU5yFgX
WFTWPYMCqXI=
-----END PRIVATE KEY-----",
    ),
    (
        2128,
        r"-----BEGIN PRIVATE KEY-----
MIIE6gIBADANBgkqhkiG9w0BAQEFAASCBNQwggTQAgEAAoIBCwCuk3d1C1FOdge7
Jd0z9FE81MqUlCthG6kC063tLpuGSTMPDlUD7xDbtS++d7NgSH9QT1DaortgA0GT
o0CCsHGCSeetvFePmoQ9h5txRTBQbwfNSUeFBuTXNBHv0D+PpS2X1tAzpPqO/k5q
5QnYnJj7Lvuo4QJCJCfr2FFMe5siLk73ATvetdyaDWFoheNhEVhK4Ue87RjW9DyP
099ZkZRb7/ZGwJ8QaDBANIb9F9h0QjE4opFeuUHbWjg+RF3i1j/Ah82MhebJFRGZ
hMqwFQ0zVagdsi/KtkPfP1sjXgkMUcZgyWiTUaNXQL2pvV3BwrgYaY0FB0RC3t38
7k0hSMnON7GZ2Bq8MrXgsQIDAQABAoIBCguYrELN5ZVjK5vervLeMZuP6ruYUqR/
ozqEfHCvsqydipeDy/4O1R1Yy9sIml6rmQaNmIW1cXQ2MykF9qBFf3zBd+DMDM08
b0sRCcKqOGkFGoPtXiOhhhoffyE85iiMW5HAtv9jzZ+Xl/aihvKNYrj2cX+IsjzH
g6KAevji/6RO1C5ryA+SnEXOaiCiXrzwFUCQnwtkS7OujB3+xjYmkED104fVk0Tw
brLpwilB9vvQhWIyLWq/xKdiKq9YSr759c9k6k+efhQSz7eGLrKVQc9yMkvSorIy
rfSOUwIiVMSUbBZT2h0IBXzEwCm591ZETGONihv2b/Boi2/tkO8f7YPlGMWW1wiM
HTL7AoGGANR4jtyqEvJgd15Ml0pg5nYfzltos9yCJdvPfvQvkDZlmKa5Ax5HDOmY
XUsRXXle+h+YLz+IIxBga8uUmuPSi9FX/sHqWKh5kXHlyJAwrYYIH4klyYWrMwlm
MSDBHVBFvqGneUOalR+tek06mU0cZr2LUbZ6jMNrrjeOA0HteE2q9+7ILMcCgYYA
0ldwaIFSsvikzpoAWr73kaCFPsEI7eFMtykmXh/OWqDRK3VNjPkbPVpxdkiAv6F0
gSrwLGSFGIXRhssszkQiJcnEn3yEmPanPYC8AqSwCORIk13VKFiw7maT5mdcc8Ex
D/2aBW6+P645W9Z6P0BfaxVWl+4RnN2nWm8AZiIPtkbsuAZexwKBhgChBTinrNCt
FUSBl6P0f1lI3jPifIgKriuI2UjKQB2XzAkTGRVu5cO4aHsTf/aKG9uNBCWSjVad
e6VV5Ko5y/+gSILObQ6Bp5f9bHpCJFHtSMy1gIioH6WPEv5aZ2ASzLh7BFPXUxh+
qFcOnkE9+i82qJXlqBxzoXCns51uYkyQ9+fr85JTAoGFPxRl65FNAcs7cZIRpSU8
DXo8O3Ocf+pfHVbD4NpdAiTUVdoZ5bsXBjFHcZeQtOdwjwQXftiuaYpIKcpop3sb
WoXF56ZqBY2C3hjrSUemWyRK95beQ/lFJlmw5Rn+SeCYHBmLxTFO8L4JCZeqlaly
dCS0EWAd/BMlCyPa1MZGO/3NI+sVJQKBhUAJ9+FNn7ifeIH+svuCP1znC4h1ICtF
tnlHvH5DOIBZc7f0h060gBW0AO2JYdoSYfPaGyMdvDWHQAVMuOLM1xG7LAdkvyOk
EcStNM3zElINbEhDe2DcYIB4+GzyoGqknYHzxjWCByhLImHM9+r8luN00n9jgXBM
f57o1DcBMr3pDGUKqPs=
-----END PRIVATE KEY-----",
    ),
];

/// Test-side model of draft-irtf-cfrg-rsa-guidance-10 §7.1 IRPRF: the first
/// `len` bytes of HMAC-SHA256(KDK, I2OSP(i, 2) || label || I2OSP(8 len, 2))
/// for i = 0, 1, ... (variable time; for checking only).
fn model_irprf(kdk: &[u8], label: &[u8], len: usize) -> Vec<u8> {
    let bits = u16::try_from(8 * len).unwrap().to_be_bytes();
    let mut out = Vec::new();
    for i in 0u16.. {
        if out.len() >= len {
            break;
        }
        let mut h = Hmac::<Sha256>::new(kdk);
        h.update(&i.to_be_bytes());
        h.update(label);
        h.update(&bits);
        out.extend_from_slice(&h.finalize());
    }
    out.truncate(len);
    out
}

/// Test-side model of §7.2 step 3 for a ciphertext `c` whose padding is not
/// valid: the last AL bytes of AM, from the private exponent `d` as given in
/// the key (big-endian) and the modulus size `k`.
fn model_synthetic(d: &[u8], k: usize, c: &[u8]) -> Vec<u8> {
    let mut dk = vec![0u8; k - d.len()];
    dk.extend_from_slice(d);
    let kdk = Hmac::<Sha256>::mac(&Sha256::digest(&dk), c);
    let cl = model_irprf(&kdk, b"length", 256);
    let am = model_irprf(&kdk, b"message", k);
    let max_sep = k - 10;
    let mask = (1usize << (usize::BITS - max_sep.leading_zeros())) - 1;
    let mut al = 0;
    for pair in cl.chunks_exact(2) {
        let cand = usize::from(u16::from_be_bytes([pair[0], pair[1]])) & mask;
        if cand < max_sep {
            al = cand;
        }
    }
    am[k - al..].to_vec()
}

/// The private exponent d of `sk`, as its PKCS#1 export gives it.
fn private_exponent(sk: &RsaPrivateKey) -> Vec<u8> {
    let der = sk.to_pkcs1_der();
    let mut r = der::Reader::new(&der);
    let mut s = r.sequence("RSAPrivateKey").unwrap();
    for field in ["version", "modulus", "publicExponent"] {
        s.unsigned(field).unwrap();
    }
    s.unsigned("privateExponent").unwrap().to_vec()
}

/// The model agrees with the appendix on every invalid case (so the model
/// is the draft's), and with the library on invalid encodings under the
/// edge keys, on every backend.
#[test]
fn synthetic_message_model() {
    // The model against the published synthetic messages.
    let (keys, cases) = read_file();
    let mut checked = 0;
    for key in &keys {
        let sk = RsaPrivateKey::from_pem(&key.pem).unwrap();
        let d = private_exponent(&sk);
        for c in cases.iter().filter(|c| c.section == key.section && c.title.starts_with("Invalid")) {
            assert_eq!(model_synthetic(&d, sk.size(), &c.ct), c.msg, "model on {}", c.id);
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 9);
    // The library against the model, for the edge keys.
    let mut tally = Tally::default();
    for be in backends() {
        for (bits, pem) in EDGE_KEYS {
            let sk = RsaPrivateKey::from_pem(pem).unwrap().with_backend(be).unwrap();
            assert_eq!(sk.public_key().bits(), bits);
            let (k, d) = (sk.size(), private_exponent(&sk));
            let mut lens = std::collections::BTreeSet::new();
            for i in 0..48u32 {
                // Invalid encodings of three kinds: block type 1, no
                // separator, a separator after fewer than 8 padding bytes.
                let mut em = Vec::new();
                for j in 0u32.. {
                    if em.len() >= k {
                        break;
                    }
                    let seed = [bits.to_be_bytes().as_slice(), &i.to_be_bytes(), &j.to_be_bytes()].concat();
                    em.extend(Sha256::digest(&seed).iter().map(|&b| b | 1));
                }
                em.truncate(k);
                em[0] = 0;
                em[1] = if i % 3 == 0 { 1 } else { 2 };
                if i % 3 == 2 {
                    em[2 + (i as usize / 3) % 8] = 0;
                }
                let c = common::raw_public(&sk.public_key(), &em);
                let want = model_synthetic(&d, k, &c);
                let got = sk.decrypt_pkcs1v15(&c).unwrap();
                assert_eq!(common::hex(&got), common::hex(&want), "{bits}-bit key, encoding {i} [{be}]");
                lens.insert(got.len());
                tally.pass(&format!("model, {bits}-bit key (k = {k})"), be.name());
            }
            // The lengths cover the upper half of the range too.
            assert!(lens.iter().any(|&l| l >= (k - 10) / 2), "{bits}: lengths {lens:?}");
        }
    }
    assert_eq!(tally.report(), EDGE_KEYS.len() * 48 * backends().len());
}
