//! Portable, constant-time AES (FIPS 197): bitsliced, four blocks at a time.
//!
//! The state of four blocks is kept as eight 64-bit bit planes: plane `k`
//! holds bit `k` of every byte, and the byte in row `r`, column `c` of block
//! `b` (FIPS 197 byte `4c + r`) sits at bit `16r + 4c + b`: each row is a
//! 16-bit lane. SubBytes is the Boyar–Peralta circuit (ePrint 2009/191) on
//! the planes; the row rotations of MixColumns are rotations of the whole
//! word. Encryption skips ShiftRows until the last round and uses
//! MixColumns conjugated by the pending ShiftRows power instead (the idea of
//! fixslicing, Adomnicai and Peyrin, TCHES 2021/1), which costs one masked
//! lane rotation where ShiftRows costs three. Nothing indexes memory with
//! secret data.

use crate::ct;

/// Bit planes of four AES blocks.
pub(crate) type State = [u64; 8];

/// Round keys in plane form, each replicated to all four block lanes.
///
/// Encryption skips ShiftRows in every round but the last and keeps the
/// state with row `r` rotated by `e_i * r` columns after round `i`, where
/// `e_i = -i mod 4` (see [`mix_columns_shifted`]); `enc` holds round key `i`
/// rotated the same way. `dec` holds the plain round keys.
#[derive(Clone)]
pub(crate) struct Key {
    enc: [State; 15],
    dec: [State; 15],
    rounds: usize,
}

/// `SR^e` on one block: row `r` moves left by `e * r` columns.
fn shift_rows_bytes(x: &[u8; 16], e: usize) -> [u8; 16] {
    core::array::from_fn(|i| {
        let (c, r) = (i / 4, i % 4);
        x[4 * ((c + e * r) % 4) + r]
    })
}

impl Key {
    /// Converts byte round keys (from [`super::RoundKeys::expand`]) to planes.
    pub(crate) fn new(round_keys: &super::RoundKeys) -> Self {
        let rounds = round_keys.rounds();
        let mut enc = [[0u64; 8]; 15];
        let mut dec = [[0u64; 8]; 15];
        for (i, src) in round_keys.keys().iter().enumerate() {
            dec[i] = pack(&[*src; 4]);
            let e = if i == rounds { 0 } else { (4 - i % 4) % 4 };
            let mut k = shift_rows_bytes(src, e);
            enc[i] = pack(&[k; 4]);
            ct::wipe(&mut k);
        }
        Key { enc, dec, rounds }
    }

    /// Encrypts four blocks in place.
    pub(crate) fn encrypt4(&self, blocks: &mut [[u8; 16]; 4]) {
        let mut q = pack(blocks);
        self.encrypt_planes(&mut q);
        *blocks = unpack(&q);
        ct::wipe_words(&mut q);
    }

    /// Decrypts four blocks in place.
    pub(crate) fn decrypt4(&self, blocks: &mut [[u8; 16]; 4]) {
        let mut q = pack(blocks);
        self.decrypt_planes(&mut q);
        *blocks = unpack(&q);
        ct::wipe_words(&mut q);
    }

    /// Encrypts any number of blocks in place.
    pub(crate) fn encrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        for chunk in blocks.chunks_mut(4) {
            let mut four = [[0u8; 16]; 4];
            four[..chunk.len()].copy_from_slice(chunk);
            self.encrypt4(&mut four);
            chunk.copy_from_slice(&four[..chunk.len()]);
            ct::wipe(four.as_flattened_mut());
        }
    }

    /// Decrypts any number of blocks in place.
    pub(crate) fn decrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        for chunk in blocks.chunks_mut(4) {
            let mut four = [[0u8; 16]; 4];
            four[..chunk.len()].copy_from_slice(chunk);
            self.decrypt4(&mut four);
            chunk.copy_from_slice(&four[..chunk.len()]);
            ct::wipe(four.as_flattened_mut());
        }
    }

    /// XORs `data` with the keystream of counter blocks: `block` with its
    /// last four bytes replaced by the big-endian `ctr`, `ctr + 1`, ...
    /// (wrapping mod 2^32, as GCM's inc32).
    pub(crate) fn ctr32_xor(&self, block: &[u8; 16], ctr: u32, data: &mut [u8]) {
        let mut ctr = ctr;
        for chunk in data.chunks_mut(64) {
            let mut ks = [*block; 4];
            for k in ks.iter_mut() {
                k[12..].copy_from_slice(&ctr.to_be_bytes());
                ctr = ctr.wrapping_add(1);
            }
            self.encrypt4(&mut ks);
            for (d, k) in chunk.iter_mut().zip(ks.as_flattened()) {
                *d ^= k;
            }
            ct::wipe(ks.as_flattened_mut());
        }
    }

    fn encrypt_planes(&self, q: &mut State) {
        let n = self.rounds;
        add_round_key(q, &self.enc[0]);
        // Round i takes the state with rotation e_(i-1) to e_i = e_(i-1) - 1
        // through MixColumns conjugated by SR^k, k = 1 - e_(i-1) = i mod 4.
        for (i, rk) in self.enc.iter().enumerate().take(n).skip(1) {
            sub_bytes(q);
            match i % 4 {
                1 => mix_columns_shifted::<1>(q),
                2 => mix_columns_shifted::<2>(q),
                3 => mix_columns_shifted::<3>(q),
                _ => mix_columns_shifted::<0>(q),
            }
            add_round_key(q, rk);
        }
        sub_bytes(q);
        // The last round's ShiftRows, plus the rotation left over: SR^(1 - e)
        // with e = e_(n-1) = 1 - n mod 4, so SR^(n mod 4).
        match n % 4 {
            2 => shift_rows_by::<2>(q),
            _ => shift_rows_by::<0>(q),
        }
        add_round_key(q, &self.enc[n]);
    }

    fn decrypt_planes(&self, q: &mut State) {
        let n = self.rounds;
        add_round_key(q, &self.dec[n]);
        for rk in self.dec[1..n].iter().rev() {
            inv_shift_rows(q);
            inv_sub_bytes(q);
            add_round_key(q, rk);
            inv_mix_columns(q);
        }
        inv_shift_rows(q);
        inv_sub_bytes(q);
        add_round_key(q, &self.dec[0]);
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        ct::wipe_words(self.enc.as_flattened_mut());
        ct::wipe_words(self.dec.as_flattened_mut());
    }
}

/// Swaps the bits of `a` at `mask << shift` with the bits of `b` at `mask`:
/// one stage of an 8x8 bit-matrix transpose.
#[inline(always)]
fn swap_stage(a: &mut u64, b: &mut u64, mask: u64, shift: u32) {
    let t = ((*a >> shift) ^ *b) & mask;
    *b ^= t;
    *a ^= t << shift;
}

/// Transposes, within every byte position, the 8x8 bit matrix formed by the
/// eight words: afterwards bit `8m + j` of word `k` is what bit `8m + k` of
/// word `j` was. It is its own inverse.
#[inline(always)]
fn transpose(w: &mut [u64; 8]) {
    for (step, mask) in
        [(1usize, 0x5555_5555_5555_5555u64), (2, 0x3333_3333_3333_3333), (4, 0x0f0f_0f0f_0f0f_0f0f)]
    {
        for base in (0..8).step_by(2 * step) {
            for j in base..base + step {
                let (lo, hi) = w.split_at_mut(j + step);
                swap_stage(&mut lo[j], &mut hi[0], mask, step as u32);
            }
        }
    }
}

/// Moves byte `r` of `x` to byte `2r`.
#[inline(always)]
fn spread(x: u32) -> u64 {
    let x = u64::from(x);
    let x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    (x | (x << 8)) & 0x00ff_00ff_00ff_00ff
}

/// The inverse of [`spread`] (odd bytes of `y` are ignored).
#[inline(always)]
fn compress(y: u64) -> u32 {
    let y = y & 0x00ff_00ff_00ff_00ff;
    let y = (y | (y >> 8)) & 0x0000_ffff_0000_ffff;
    (y | (y >> 16)) as u32
}

/// Four blocks to bit planes. Row `r`, column `c` of block `b` lands at bit
/// `p = 16r + 4c + b`, which the transpose puts in word `p % 8 = 4 (c % 2)
/// + b`, byte `p / 8 = 2r + c / 2`: word `4h + b` interleaves the bytes of
/// columns `h` and `h + 2` of block `b`.
#[inline]
pub(crate) fn pack(blocks: &[[u8; 16]; 4]) -> State {
    let mut w = [0u64; 8];
    for (b, blk) in blocks.iter().enumerate() {
        let col = |c: usize| u32::from_le_bytes([blk[4 * c], blk[4 * c + 1], blk[4 * c + 2], blk[4 * c + 3]]);
        for h in 0..2 {
            w[4 * h + b] = spread(col(h)) | (spread(col(h + 2)) << 8);
        }
    }
    transpose(&mut w);
    w
}

/// The inverse of [`pack`].
#[inline]
pub(crate) fn unpack(q: &State) -> [[u8; 16]; 4] {
    let mut w = *q;
    transpose(&mut w);
    let mut out = [[0u8; 16]; 4];
    for (b, blk) in out.iter_mut().enumerate() {
        for h in 0..2 {
            let x = w[4 * h + b];
            blk[4 * h..4 * h + 4].copy_from_slice(&compress(x).to_le_bytes());
            blk[4 * h + 8..4 * h + 12].copy_from_slice(&compress(x >> 8).to_le_bytes());
        }
    }
    ct::wipe_words(&mut w);
    out
}

#[inline(always)]
fn add_round_key(q: &mut State, rk: &State) {
    for (x, k) in q.iter_mut().zip(rk) {
        *x ^= k;
    }
}

/// Row `r` moves left by `r` columns: new column `c` takes old column
/// `c + r`, a rotation of row `r`'s 16-bit lane by `4r` bits.
#[inline(always)]
fn shift_rows(q: &mut State) {
    for x in q.iter_mut() {
        let v = *x;
        *x = (v & 0x0000_0000_0000_ffff)
            | ((v >> 4) & 0x0000_0000_0fff_0000)
            | ((v << 12) & 0x0000_0000_f000_0000)
            | ((v >> 8) & 0x0000_00ff_0000_0000)
            | ((v << 8) & 0x0000_ff00_0000_0000)
            | ((v >> 12) & 0x000f_0000_0000_0000)
            | ((v << 4) & 0xfff0_0000_0000_0000);
    }
}

#[inline(always)]
fn inv_shift_rows(q: &mut State) {
    for x in q.iter_mut() {
        let v = *x;
        *x = (v & 0x0000_0000_0000_ffff)
            | ((v << 4) & 0x0000_0000_fff0_0000)
            | ((v >> 12) & 0x0000_0000_000f_0000)
            | ((v >> 8) & 0x0000_00ff_0000_0000)
            | ((v << 8) & 0x0000_ff00_0000_0000)
            | ((v << 12) & 0xf000_0000_0000_0000)
            | ((v >> 4) & 0x0fff_0000_0000_0000);
    }
}

/// Each byte takes the value of the byte one row below it in its column.
#[inline(always)]
fn rot_rows1(x: u64) -> u64 {
    x.rotate_right(16)
}

/// Each byte takes the value of the byte two rows below it in its column.
#[inline(always)]
fn rot_rows2(x: u64) -> u64 {
    x.rotate_right(32)
}

/// A 16-bit pattern repeated in the four row lanes.
const fn lanes(x: u64) -> u64 {
    x * 0x0001_0001_0001_0001
}

/// Rotates every row's lane so that column `c` takes column `c + s`.
#[inline(always)]
fn rotate_columns<const S: u32>(x: u64) -> u64 {
    if S.is_multiple_of(4) {
        return x;
    }
    let sh = 4 * (S % 4);
    let keep = lanes(0xffff >> sh);
    ((x >> sh) & keep) | ((x << (16 - sh)) & !keep)
}

/// ShiftRows to the power `M`: row `r` moves left by `M * r` columns.
#[inline(always)]
fn shift_rows_by<const M: usize>(q: &mut State) {
    if M.is_multiple_of(4) {
        return;
    }
    if M % 4 == 1 {
        shift_rows(q);
        return;
    }
    // M = 2 (the only other case used): rows 1 and 3 move by 2 columns,
    // row 2 by 4 (not at all).
    let odd_rows = 0xffff_0000_ffff_0000u64;
    for x in q.iter_mut() {
        *x = (*x & !odd_rows) | (rotate_columns::<2>(*x) & odd_rows);
    }
}

/// MixColumns conjugated by ShiftRows^K: SR^-K ∘ MixColumns ∘ SR^K, for a
/// state whose rows are still rotated by earlier skipped ShiftRows
/// ("fixslicing"). Row `r + j` joins row `r` shifted by `K j` columns:
/// out[r][c] = 2 y[r][c] + 3 y[r+1][c+K] + y[r+2][c+2K] + y[r+3][c+3K].
#[inline(always)]
fn mix_columns_shifted<const K: u32>(q: &mut State) {
    let r1 = |x: u64| rotate_columns::<K>(x.rotate_right(16));
    let r2 = |x: u64| match (2 * K) % 4 {
        0 => x.rotate_right(32),
        _ => rotate_columns::<2>(x.rotate_right(32)),
    };
    let a1 = q.map(r1);
    let mut t = [0u64; 8];
    for k in 0..8 {
        t[k] = q[k] ^ a1[k];
    }
    let t2 = xtime(&t);
    for k in 0..8 {
        q[k] = t2[k] ^ a1[k] ^ r2(t[k]);
    }
}

/// Multiplication by x in GF(2^8) (modulus x^8 + x^4 + x^3 + x + 1).
#[inline(always)]
fn xtime(t: &State) -> State {
    [t[7], t[0] ^ t[7], t[1], t[2] ^ t[7], t[3] ^ t[7], t[4], t[5], t[6]]
}

/// out_r = 2 a_r + 3 a_{r+1} + a_{r+2} + a_{r+3}
///       = 2 t_r + a_{r+1} + t_{r+2}  with  t_r = a_r + a_{r+1}.
#[inline(always)]
fn mix_columns(q: &mut State) {
    let a1 = q.map(rot_rows1);
    let mut t = [0u64; 8];
    for k in 0..8 {
        t[k] = q[k] ^ a1[k];
    }
    let t2 = xtime(&t);
    for k in 0..8 {
        q[k] = t2[k] ^ a1[k] ^ rot_rows2(t[k]);
    }
}

/// InvMixColumns = MixColumns after b_r = a_r + 4 (a_r + a_{r+2}), since
/// {0e,0b,0d,09} = {02,03,01,01} x {05,00,04,00} as circulant matrices.
#[inline(always)]
fn inv_mix_columns(q: &mut State) {
    let mut d = [0u64; 8];
    for k in 0..8 {
        d[k] = q[k] ^ rot_rows2(q[k]);
    }
    let d4 = xtime(&xtime(&d));
    for k in 0..8 {
        q[k] ^= d4[k];
    }
    mix_columns(q);
}

/// The inverse affine map of the S-box, with its constant: N(v) = L^-1(v + 63).
#[inline(always)]
fn inv_affine(q: &State) -> State {
    let mut out = [0u64; 8];
    for (i, o) in out.iter_mut().enumerate() {
        *o = q[(i + 2) % 8] ^ q[(i + 5) % 8] ^ q[(i + 7) % 8];
    }
    out[0] = !out[0];
    out[2] = !out[2];
    out
}

/// InvSubBytes as N ∘ S ∘ N, where S(x) = L(x^-1) + 63 and N(v) = L^-1(v + 63).
#[inline(always)]
fn inv_sub_bytes(q: &mut State) {
    *q = inv_affine(q);
    sub_bytes(q);
    *q = inv_affine(q);
}

/// SubBytes on all 64 bytes at once: the Boyar–Peralta 113-gate circuit
/// (top linear layer, GF(2^4)-tower inversion, bottom linear layer).
/// Straight-line logic only. The circuit numbers bits from the top: `u0` is
/// bit 7, `s7` is bit 0.
#[inline(always)]
fn sub_bytes(q: &mut State) {
    let [u7, u6, u5, u4, u3, u2, u1, u0] = *q;

    // Top linear layer.
    let y14 = u3 ^ u5;
    let y13 = u0 ^ u6;
    let y9 = u0 ^ u3;
    let y8 = u0 ^ u5;
    let t0 = u1 ^ u2;
    let y1 = t0 ^ u7;
    let y4 = y1 ^ u3;
    let y12 = y13 ^ y14;
    let y2 = y1 ^ u0;
    let y5 = y1 ^ u6;
    let y3 = y5 ^ y8;
    let t1 = u4 ^ y12;
    let y15 = t1 ^ u5;
    let y20 = t1 ^ u1;
    let y6 = y15 ^ u7;
    let y10 = y15 ^ t0;
    let y11 = y20 ^ y9;
    let y7 = u7 ^ y11;
    let y17 = y10 ^ y11;
    let y19 = y10 ^ y8;
    let y16 = t0 ^ y11;
    let y21 = y13 ^ y16;
    let y18 = u0 ^ y16;

    // Shared non-linear middle: inversion in GF(2^8) through GF(2^4).
    let t2 = y12 & y15;
    let t3 = y3 & y6;
    let t4 = t3 ^ t2;
    let t5 = y4 & u7;
    let t6 = t5 ^ t2;
    let t7 = y13 & y16;
    let t8 = y5 & y1;
    let t9 = t8 ^ t7;
    let t10 = y2 & y7;
    let t11 = t10 ^ t7;
    let t12 = y9 & y11;
    let t13 = y14 & y17;
    let t14 = t13 ^ t12;
    let t15 = y8 & y10;
    let t16 = t15 ^ t12;
    let t17 = t4 ^ t14;
    let t18 = t6 ^ t16;
    let t19 = t9 ^ t14;
    let t20 = t11 ^ t16;
    let t21 = t17 ^ y20;
    let t22 = t18 ^ y19;
    let t23 = t19 ^ y21;
    let t24 = t20 ^ y18;

    let t25 = t21 ^ t22;
    let t26 = t21 & t23;
    let t27 = t24 ^ t26;
    let t28 = t25 & t27;
    let t29 = t28 ^ t22;
    let t30 = t23 ^ t24;
    let t31 = t22 ^ t26;
    let t32 = t31 & t30;
    let t33 = t32 ^ t24;
    let t34 = t23 ^ t33;
    let t35 = t27 ^ t33;
    let t36 = t24 & t35;
    let t37 = t36 ^ t34;
    let t38 = t27 ^ t36;
    let t39 = t29 & t38;
    let t40 = t25 ^ t39;

    let t41 = t40 ^ t37;
    let t42 = t29 ^ t33;
    let t43 = t29 ^ t40;
    let t44 = t33 ^ t37;
    let t45 = t42 ^ t41;
    let z0 = t44 & y15;
    let z1 = t37 & y6;
    let z2 = t33 & u7;
    let z3 = t43 & y16;
    let z4 = t40 & y1;
    let z5 = t29 & y7;
    let z6 = t42 & y11;
    let z7 = t45 & y17;
    let z8 = t41 & y10;
    let z9 = t44 & y12;
    let z10 = t37 & y3;
    let z11 = t33 & y4;
    let z12 = t43 & y13;
    let z13 = t40 & y5;
    let z14 = t29 & y2;
    let z15 = t42 & y9;
    let z16 = t45 & y14;
    let z17 = t41 & y8;

    // Bottom linear layer (with the S-box constant 0x63 as complements).
    let t46 = z15 ^ z16;
    let t47 = z10 ^ z11;
    let t48 = z5 ^ z13;
    let t49 = z9 ^ z10;
    let t50 = z2 ^ z12;
    let t51 = z2 ^ z5;
    let t52 = z7 ^ z8;
    let t53 = z0 ^ z3;
    let t54 = z6 ^ z7;
    let t55 = z16 ^ z17;
    let t56 = z12 ^ t48;
    let t57 = t50 ^ t53;
    let t58 = z4 ^ t46;
    let t59 = z3 ^ t54;
    let t60 = t46 ^ t57;
    let t61 = z14 ^ t57;
    let t62 = t52 ^ t58;
    let t63 = t49 ^ t58;
    let t64 = z4 ^ t59;
    let t65 = t61 ^ t62;
    let t66 = z1 ^ t63;
    let s0 = t59 ^ t63;
    let s6 = !(t56 ^ t62);
    let s7 = !(t48 ^ t60);
    let t67 = t64 ^ t65;
    let s3 = t53 ^ t66;
    let s4 = t51 ^ t66;
    let s5 = t47 ^ t65;
    let s1 = !(t64 ^ s3);
    let s2 = !(t55 ^ t67);

    *q = [s7, s6, s5, s4, s3, s2, s1, s0];
}

/// The S-box applied to each byte of a word, for the key schedule. Only the
/// low four bits of each plane are used; straight-line logic only.
pub(crate) fn sub_word(w: u32) -> u32 {
    let bytes = w.to_le_bytes();
    let mut q = [0u64; 8];
    for (k, plane) in q.iter_mut().enumerate() {
        for (j, b) in bytes.iter().enumerate() {
            *plane |= u64::from((b >> k) & 1) << j;
        }
    }
    sub_bytes(&mut q);
    let mut out = [0u8; 4];
    for (k, plane) in q.iter().enumerate() {
        for (j, o) in out.iter_mut().enumerate() {
            *o |= (((plane >> j) & 1) as u8) << k;
        }
    }
    ct::wipe_words(&mut q);
    u32::from_le_bytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_known_values() {
        // FIPS 197 Figure 7: S(00) = 63, S(53) = ed, S(ff) = 16, S(01) = 7c.
        assert_eq!(
            sub_word(u32::from_le_bytes([0x00, 0x53, 0xff, 0x01])),
            u32::from_le_bytes([0x63, 0xed, 0x16, 0x7c])
        );
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn pack_roundtrip() {
        let mut blocks = [[0u8; 16]; 4];
        for (i, b) in blocks.as_flattened_mut().iter_mut().enumerate() {
            *b = (i * 37 + 5) as u8;
        }
        let q = pack(&blocks);
        assert_eq!(unpack(&q), blocks);
        // Plane k, bit 16r + 4c + b is bit k of byte 4c + r of block b.
        for b in 0..4 {
            for i in 0..16 {
                let (c, r) = (i / 4, i % 4);
                for (k, plane) in q.iter().enumerate() {
                    assert_eq!((plane >> (16 * r + 4 * c + b)) & 1, u64::from((blocks[b][i] >> k) & 1));
                }
            }
        }
    }

    #[test]
    fn inverse_layers() {
        let mut blocks = [[0u8; 16]; 4];
        for (i, b) in blocks.as_flattened_mut().iter_mut().enumerate() {
            *b = (i * 91 + 3) as u8;
        }
        let q0 = pack(&blocks);
        let mut q = q0;
        shift_rows(&mut q);
        inv_shift_rows(&mut q);
        assert_eq!(q, q0);
        mix_columns(&mut q);
        inv_mix_columns(&mut q);
        assert_eq!(q, q0);
        sub_bytes(&mut q);
        inv_sub_bytes(&mut q);
        assert_eq!(q, q0);
    }
}
