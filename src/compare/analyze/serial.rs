//! RFC 1982 serial number arithmetic: SOA serials wrap around, so "newer" is a comparison on
//! a circle, not on integers.

/// `a` is newer than `b` (RFC 1982 §3.2).
pub fn serial_newer(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 1 << 31
}

/// The newest of some serials: one newer than every other. None when there is none (an empty
/// list, or serials so far apart that no single one is newer than all the rest).
pub(super) fn newest(serials: impl Iterator<Item = u32> + Clone) -> Option<u32> {
    serials.clone().find(|&candidate| {
        serials
            .clone()
            .all(|other| other == candidate || serial_newer(candidate, other))
    })
}

#[cfg(test)]
mod tests {
    use super::{newest, serial_newer};

    #[test]
    fn serials_compare_by_rfc_1982() {
        assert!(serial_newer(2, 1));
        assert!(!serial_newer(1, 2));
        assert!(serial_newer(5, u32::MAX), "a serial that wrapped is newer");
        assert_eq!(newest([u32::MAX, 3, u32::MAX - 1].into_iter()), Some(3));
        assert_eq!(newest([7, 7].into_iter()), Some(7));
        assert_eq!(newest(std::iter::empty()), None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::serial_newer;

    proptest! {
        /// RFC 1982 §3.2: s + n is newer than s for 0 < n < 2^31, and never the other way.
        #[test]
        fn adding_less_than_half_the_space_is_newer(s: u32, n in 1u32..(1 << 31)) {
            let later = s.wrapping_add(n);
            prop_assert!(serial_newer(later, s));
            prop_assert!(!serial_newer(s, later));
        }

        /// A serial is not newer than itself, and of two different serials (not exactly half
        /// the space apart) exactly one is newer.
        #[test]
        fn newer_is_a_strict_order_on_pairs(a: u32, b: u32) {
            prop_assert!(!serial_newer(a, a));
            if a != b && a.wrapping_sub(b) != 1 << 31 {
                prop_assert!(serial_newer(a, b) ^ serial_newer(b, a));
            }
        }
    }
}
