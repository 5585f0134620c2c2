//! Pins the size of `Value`: 16 bytes (a tag and one word), so that slots, lists and tuples stay
//! compact. If this fails, a variant grew a fat pointer or an inline payload.

#[test]
fn value_is_16_bytes() {
    assert_eq!(std::mem::size_of::<tinyasync::value::Value>(), 16);
}
