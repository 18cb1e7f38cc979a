//! Any record a server can send → its presentation form, as every text output shows it:
//! names in printable ASCII (every other byte escaped), record data through the terminal
//! escaping with no control or bidi character left.

#![no_main]

use dnscope::present;
use hickory_proto::op::Message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(m) = Message::from_vec(data) else {
        return;
    };
    let records = m.answers.iter().chain(&m.authorities).chain(&m.additionals);
    for r in records {
        let name = present::name(&r.name);
        assert!(
            name.bytes().all(|b| (0x21..=0x7e).contains(&b)),
            "a name shown raw: {name:?}"
        );
        let shown = present::for_tty(&format!(
            "{} {} {} {}",
            name,
            present::class(r.dns_class),
            present::rtype(r),
            present::rdata(&r.data)
        ));
        assert!(
            !shown.chars().any(char::is_control),
            "a control character reaches the terminal: {shown:?}"
        );
    }
});
