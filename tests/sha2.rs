//! SHA-2 against the NIST CAVP files (ShortMsg, LongMsg, Monte) on every
//! backend this CPU can run, and every backend against the portable one.

mod common;

use common::{Tally, backends, cavp};
use ironseal::cpu::{Backend, Primitive};
use ironseal::sha2::{Sha224, Sha256, Sha384, Sha512};
use proptest::prelude::*;

/// One-shot and streaming on a given backend, for each SHA-2 width.
trait Under: Sized {
    const L: usize;
    const PRIM: Primitive;
    fn on(b: Backend) -> Self;
    fn feed(&mut self, data: &[u8]);
    fn done(self) -> Vec<u8>;
    fn once(b: Backend, data: &[u8]) -> Vec<u8> {
        let mut h = Self::on(b);
        h.feed(data);
        h.done()
    }
}

macro_rules! under {
    ($t:ty, $l:expr, $p:expr) => {
        impl Under for $t {
            const L: usize = $l;
            const PRIM: Primitive = $p;
            fn on(b: Backend) -> Self {
                <$t>::with_backend(b).expect("listed backend must build")
            }
            fn feed(&mut self, data: &[u8]) {
                self.update(data)
            }
            fn done(self) -> Vec<u8> {
                self.finalize().to_vec()
            }
        }
    };
}
under!(Sha224, 28, Primitive::Sha256);
under!(Sha256, 32, Primitive::Sha256);
under!(Sha384, 48, Primitive::Sha512);
under!(Sha512, 64, Primitive::Sha512);

fn msg_file<H: Under>(file: &str, tally: &mut Tally) {
    for b in backends(H::PRIM) {
        let mut n = 0;
        for mut r in cavp(file) {
            assert_eq!(r.num("L"), H::L, "{}", r.origin);
            let len = r.num("Len");
            assert!(len.is_multiple_of(8));
            let msg = r.hex("Msg");
            let msg = &msg[..len / 8];
            let md = r.hex("MD");
            assert_eq!(H::once(b, msg), md, "{} on {b}", r.origin);
            // The same message through the streaming path in uneven pieces.
            let mut h = H::on(b);
            for piece in msg.chunks(37) {
                h.feed(piece);
            }
            assert_eq!(h.done(), md, "{} streamed on {b}", r.origin);
            tally.pass(file, b.name());
            n += 1;
        }
        assert!(n > 0, "{file}: no records");
    }
}

fn monte_file<H: Under>(file: &str, tally: &mut Tally) {
    for b in backends(H::PRIM) {
        let mut records = cavp(file).into_iter();
        let mut first = records.next().expect("seed record");
        assert_eq!(first.num("L"), H::L);
        let mut seed = first.hex("Seed");
        drop(first);
        let mut n = 0;
        for (i, mut r) in records.enumerate() {
            assert_eq!(r.num("L"), H::L);
            assert_eq!(r.num("COUNT"), i);
            let mut md = [seed.clone(), seed.clone(), seed.clone()];
            for _ in 0..1000 {
                let m = [md[0].as_slice(), &md[1], &md[2]].concat();
                let next = H::once(b, &m);
                md = [md[1].clone(), md[2].clone(), next];
            }
            seed = md[2].clone();
            assert_eq!(seed, r.hex("MD"), "{} on {b}", r.origin);
            tally.pass(file, b.name());
            n += 1;
        }
        assert_eq!(n, 100, "{file}: 100 checkpoints");
    }
}

#[test]
fn nist_sha256() {
    let mut t = Tally::default();
    msg_file::<Sha256>("nist/sha/SHA256ShortMsg.rsp", &mut t);
    msg_file::<Sha256>("nist/sha/SHA256LongMsg.rsp", &mut t);
    monte_file::<Sha256>("nist/sha/SHA256Monte.rsp", &mut t);
    t.report();
}

#[test]
fn nist_sha384() {
    let mut t = Tally::default();
    msg_file::<Sha384>("nist/sha/SHA384ShortMsg.rsp", &mut t);
    msg_file::<Sha384>("nist/sha/SHA384LongMsg_first16.rsp", &mut t);
    monte_file::<Sha384>("nist/sha/SHA384Monte.rsp", &mut t);
    t.report();
}

#[test]
fn nist_sha512() {
    let mut t = Tally::default();
    msg_file::<Sha512>("nist/sha/SHA512ShortMsg.rsp", &mut t);
    msg_file::<Sha512>("nist/sha/SHA512LongMsg_first16.rsp", &mut t);
    monte_file::<Sha512>("nist/sha/SHA512Monte.rsp", &mut t);
    t.report();
}

#[test]
fn sha224_known_answers() {
    // FIPS 180-4 examples (NIST CSRC "SHA224.pdf"): "abc" and the two-block message.
    for b in backends(Primitive::Sha256) {
        assert_eq!(
            Sha224::once(b, b"abc"),
            hex_literal::hex!("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
        );
        assert_eq!(
            Sha224::once(b, b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            hex_literal::hex!("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525")
        );
    }
}

#[test]
fn backends_listed_and_chosen() {
    let listed = backends(Primitive::Sha256);
    assert_eq!(*listed.last().unwrap(), Backend::Portable);
    assert_eq!(Sha256::new().backend(), listed[0]);
    assert!(Sha256::with_backend(Backend::Portable).is_ok());
    // A backend that is not listed must refuse to build rather than crash later.
    for b in [Backend::X86ShaNi, Backend::Aarch64Sha2, Backend::X86AesNiClmul] {
        if !listed.contains(&b) {
            assert!(Sha256::with_backend(b).is_err(), "{b} is not listed but built");
        }
    }
    common::assert_aarch64_expectation(Primitive::Sha256, Backend::Aarch64Sha2);
    if std::env::var("IRONSEAL_EXPECT_SHA_NI").as_deref() == Ok("1") {
        assert!(listed.contains(&Backend::X86ShaNi), "this run was meant to reach SHA-NI");
    }
}

fn streaming_matches<H: Under>(data: &[u8], cuts: &[usize]) -> Result<(), TestCaseError> {
    for b in backends(H::PRIM) {
        let want = H::once(b, data);
        let mut h = H::on(b);
        let mut rest = data;
        for &c in cuts {
            let (a, r) = rest.split_at(c.min(rest.len()));
            h.feed(a);
            rest = r;
        }
        h.feed(rest);
        prop_assert_eq!(h.done(), want, "{}", b);
    }
    Ok(())
}

fn matches_portable<H: Under>(data: &[u8]) -> Result<(), TestCaseError> {
    let want = H::once(Backend::Portable, data);
    for b in backends(H::PRIM) {
        prop_assert_eq!(H::once(b, data), want.clone(), "{}", b);
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::proptest_config(128))]

    #[test]
    fn any_split_gives_the_one_shot_digest(
        data in proptest::collection::vec(any::<u8>(), 0..700),
        cuts in proptest::collection::vec(0usize..200, 0..8),
    ) {
        streaming_matches::<Sha256>(&data, &cuts)?;
        streaming_matches::<Sha224>(&data, &cuts)?;
        streaming_matches::<Sha384>(&data, &cuts)?;
        streaming_matches::<Sha512>(&data, &cuts)?;
    }

    #[test]
    fn every_backend_equals_portable(len in 0usize..=1100, seed in any::<u64>()) {
        let data: Vec<u8> = (0..len).map(|i| (seed.wrapping_mul(i as u64 + 1) >> 13) as u8).collect();
        matches_portable::<Sha256>(&data)?;
        matches_portable::<Sha512>(&data)?;
    }

    #[test]
    fn equals_ring(data in proptest::collection::vec(any::<u8>(), 0..1100)) {
        use ring::digest;
        let ring_of = |alg| digest::digest(alg, &data).as_ref().to_vec();
        prop_assert_eq!(Sha256::digest(&data).to_vec(), ring_of(&digest::SHA256));
        prop_assert_eq!(Sha384::digest(&data).to_vec(), ring_of(&digest::SHA384));
        prop_assert_eq!(Sha512::digest(&data).to_vec(), ring_of(&digest::SHA512));
    }
}

#[test]
fn every_length_up_to_1100_equals_portable() {
    // Deterministic sweep over every length, so each block boundary is hit.
    let data: Vec<u8> = (0..1100u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    fn sweep<H: Under>(data: &[u8]) {
        for len in 0..=data.len() {
            let want = H::once(Backend::Portable, &data[..len]);
            for b in backends(H::PRIM) {
                assert_eq!(H::once(b, &data[..len]), want, "len {len} on {b}");
            }
        }
    }
    sweep::<Sha256>(&data);
    sweep::<Sha512>(&data);
}
