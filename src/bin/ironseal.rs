//! The ironseal command-line program.
//!
//! `ironseal cpu` prints what the CPU has and the backend each primitive uses;
//! `ironseal demo` runs every primitive end to end and checks known answers.

use std::process::ExitCode;

use ironseal::cpu::{self, Primitive};
use ironseal::hkdf::Hkdf;
use ironseal::hmac::Hmac;
use ironseal::sha2::{Sha256, Sha384, Sha512};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    if ok {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        println!("some checks FAILED");
        ExitCode::FAILURE
    }
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
