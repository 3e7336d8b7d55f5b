// Declares the crate's custom cfgs so `check-cfg` knows them. Nothing else:
// a consumer's build must not pay for ours.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ironseal_force_soft)");
}
