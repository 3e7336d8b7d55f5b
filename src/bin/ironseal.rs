//! The ironseal command-line program.
//!
//! `ironseal cpu` prints what the CPU has and the backend each primitive uses;
//! `ironseal demo` runs every primitive end to end and checks known answers.

use std::process::ExitCode;

use ironseal::aes_gcm::Aes128Gcm;
use ironseal::cpu::{self, Primitive};
use ironseal::hkdf::Hkdf;
use ironseal::hmac::Hmac;
use ironseal::rand::OsRng;
use ironseal::rsa::{HashAlg, RsaPrivateKey};
use ironseal::sha2::{Sha256, Sha384, Sha512};
use ironseal::x25519;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (o, i) in out.iter_mut().zip((0..s.len()).step_by(2)) {
        *o = u8::from_str_radix(&s[i..i + 2], 16).expect("demo constants are hex");
    }
    out
}

fn cmd_cpu() -> ExitCode {
    let f = cpu::features();
    println!("arch: {}", std::env::consts::ARCH);
    println!("features: {f:?}");
    println!("force-soft: {}", cpu::force_soft());
    for &p in Primitive::ALL {
        let names: Vec<&str> = cpu::available(p).iter().map(|b| b.name()).collect();
        println!("{:<8} uses {:<22} (available: {})", p.name(), cpu::preferred(p).name(), names.join(", "));
    }
    ExitCode::SUCCESS
}

/// One demo step: prints what it computed and whether it matched.
fn check(name: &str, got: &[u8], want: &str) -> bool {
    let ok = hex(got) == want;
    println!("{} {name}: {}", if ok { "ok  " } else { "FAIL" }, hex(got));
    ok
}

fn cmd_demo() -> ExitCode {
    println!("ironseal demo: each primitive against a published answer");
    println!("sha256 backend: {}", Sha256::new().backend());
    let mut ok = true;
    ok &= check(
        "SHA-256(\"abc\")",
        &Sha256::digest(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    ok &= check(
        "SHA-384(\"abc\")",
        &Sha384::digest(b"abc"),
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    );
    ok &= check(
        "SHA-512(\"abc\")",
        &Sha512::digest(b"abc"),
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    // RFC 4231 test case 2.
    ok &= check(
        "HMAC-SHA-256 (RFC 4231 #2)",
        &Hmac::<Sha256>::mac(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    // RFC 5869 test case 1.
    let ikm = [0x0bu8; 22];
    let salt: Vec<u8> = (0u8..=0x0c).collect();
    let info: Vec<u8> = (0xf0u8..=0xf9).collect();
    let mut okm = [0u8; 42];
    let expanded = Hkdf::<Sha256>::extract(&salt, &ikm).expand(&info, &mut okm).is_ok();
    ok &= expanded
        && check(
            "HKDF-SHA-256 (RFC 5869 A.1)",
            &okm,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        );
    ok &= demo_aes_gcm();
    ok &= demo_x25519();
    ok &= demo_rsa();
    if ok {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        println!("some checks FAILED");
        ExitCode::FAILURE
    }
}

/// AES-128-GCM, test case 3 of McGrew and Viega's GCM specification.
fn demo_aes_gcm() -> bool {
    let key = Aes128Gcm::new(&unhex("feffe9928665731c6d6a8f9467308308"));
    println!("aes-gcm backend: {}", key.backend());
    let nonce = unhex::<12>("cafebabefacedbaddecaf888");
    let plain: [u8; 64] = unhex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    );
    let mut buf = plain;
    let tag = key.seal_in_place(&nonce, b"", &mut buf);
    let mut ok = check(
        "AES-128-GCM seal (GCM spec case 3)",
        &[buf.as_slice(), &tag].concat(),
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985\
         4d5c2af327cd64a62cf35abd2ba6fab4",
    );
    let mut forged = buf;
    let mut bad_tag = tag;
    bad_tag[0] ^= 1;
    let refused = key.open_in_place(&nonce, b"", &mut forged, &bad_tag).is_err() && forged == [0u8; 64];
    println!(
        "{} AES-128-GCM open with a forged tag: refused, buffer zeroed",
        if refused { "ok  " } else { "FAIL" }
    );
    let opened = key.open_in_place(&nonce, b"", &mut buf, &tag).is_ok() && buf == plain;
    println!("{} AES-128-GCM open: plaintext back", if opened { "ok  " } else { "FAIL" });
    ok &= refused && opened;
    ok
}

/// X25519, the Diffie-Hellman example of RFC 7748 §6.1.
fn demo_x25519() -> bool {
    println!("x25519 backend: {}", x25519::backend());
    let alice = x25519::PrivateKey::from_bytes(&unhex(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    ));
    let bob = x25519::PrivateKey::from_bytes(&unhex(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    ));
    let mut ok = check(
        "X25519 Alice's public key (RFC 7748 6.1)",
        alice.public_key().as_bytes(),
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    let (ab, ba) = (alice.diffie_hellman(&bob.public_key()), bob.diffie_hellman(&alice.public_key()));
    match (ab, ba) {
        (Ok(ab), Ok(ba)) => {
            ok &= check("X25519 shared secret, Alice's side", ab.as_bytes(), &hex(ba.as_bytes()));
            ok &= check(
                "X25519 shared secret (RFC 7748 6.1)",
                ab.as_bytes(),
                "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
            );
        }
        _ => {
            println!("FAIL X25519 exchange returned an error");
            ok = false;
        }
    }
    ok
}

/// RSA-2048: a fresh key, PKCS#1 v1.5 and PSS signatures, OAEP encryption.
fn demo_rsa() -> bool {
    let start = std::time::Instant::now();
    let key = match RsaPrivateKey::generate(2048, &mut OsRng) {
        Ok(k) => k,
        Err(e) => {
            println!("FAIL RSA-2048 key generation: {e}");
            return false;
        }
    };
    println!("rsa backend: {}; RSA-2048 key generated in {:.0?}", key.backend(), start.elapsed());
    let public = key.public_key();
    let msg = b"ironseal demo message";
    let mut ok = true;
    let mut step = |name: &str, pass: bool| {
        println!("{} {name}", if pass { "ok  " } else { "FAIL" });
        ok &= pass;
    };
    let sig = key.sign_pkcs1v15(HashAlg::Sha256, msg);
    step(
        "RSA PKCS#1 v1.5 SHA-256 sign, verify, and reject another message",
        sig.as_ref().is_ok_and(|s| {
            public.verify_pkcs1v15(HashAlg::Sha256, msg, s).is_ok()
                && public.verify_pkcs1v15(HashAlg::Sha256, b"another message", s).is_err()
        }),
    );
    let sig = key.sign_pss(HashAlg::Sha256, msg, &mut OsRng);
    step(
        "RSA PSS SHA-256 sign, verify, and reject another message",
        sig.as_ref().is_ok_and(|s| {
            public.verify_pss(HashAlg::Sha256, msg, s).is_ok()
                && public.verify_pss(HashAlg::Sha256, b"another message", s).is_err()
        }),
    );
    let ct = public.encrypt_oaep(HashAlg::Sha256, b"label", msg, &mut OsRng);
    step(
        "RSA OAEP SHA-256 encrypt, decrypt, and refuse a wrong label",
        ct.as_ref().is_ok_and(|c| {
            key.decrypt_oaep(HashAlg::Sha256, b"label", c).is_ok_and(|p| p == msg)
                && key.decrypt_oaep(HashAlg::Sha256, b"other", c).is_err()
        }),
    );
    ok
}

fn usage() -> ExitCode {
    eprintln!("usage: ironseal <demo | cpu>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") | None => cmd_demo(),
        Some("cpu") => cmd_cpu(),
        _ => usage(),
    }
}
