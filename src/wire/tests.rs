//! The wire layer against hostile responders on loopback: spoofed sources, wrong IDs, QR=0,
//! other questions, garbage, silence and cut TCP streams.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

use super::*;

/// A packet to send before the genuine reply: from another socket, or from the server's.
type Junk = (
    Option<UdpSocket>,
    Box<dyn Fn(&Message) -> Vec<u8> + Send + Sync>,
);

fn opts(timeout_ms: u64, retries: u32) -> QueryOptions {
    QueryOptions {
        timeout: Duration::from_millis(timeout_ms),
        retries,
        ..QueryOptions::default()
    }
}

fn question() -> Message {
    let name = parse_name("www.shop.test").expect("valid name");
    build_query(&name, RecordType::A, &QueryOptions::default())
}

fn reply_to(query: &Message) -> Message {
    let mut m = query.clone();
    m.metadata.message_type = MessageType::Response;
    m.metadata.authoritative = true;
    m
}

fn bytes(m: &Message) -> Vec<u8> {
    m.to_vec().expect("encodable")
}

/// A UDP responder that answers the first query with `junk` (each sent from `from` or the
/// server socket), then the genuine reply if `genuine`.
async fn hostile(junk: Vec<Junk>, genuine: bool) -> SocketAddr {
    let sock = UdpSocket::bind("127.66.0.1:0").await.expect("bind");
    let addr = sock.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        let Ok((n, client)) = sock.recv_from(&mut buf).await else {
            return;
        };
        let Ok(query) = Message::from_vec(&buf[..n]) else {
            return;
        };
        for (from, make) in &junk {
            let packet = make(&query);
            match from {
                Some(other) => {
                    let _ = other.send_to(&packet, client).await;
                }
                None => {
                    let _ = sock.send_to(&packet, client).await;
                }
            }
        }
        if genuine {
            let _ = sock.send_to(&bytes(&reply_to(&query)), client).await;
        }
    });
    addr
}

#[tokio::test]
async fn stray_packets_are_ignored_and_counted() {
    let spoofer = UdpSocket::bind("127.66.0.2:0").await.expect("bind");
    let junk: Vec<Junk> = vec![
        (None, Box::new(|_| vec![0xde, 0xad])),
        (
            None,
            Box::new(|q| {
                let mut m = reply_to(q);
                m.metadata.id = q.metadata.id.wrapping_add(1);
                bytes(&m)
            }),
        ),
        (None, Box::new(bytes)), // QR=0: our own query echoed
        (
            None,
            Box::new(|q| {
                let mut m = reply_to(q);
                m.queries[0].set_name(Name::from_ascii("evil.test.").expect("name"));
                bytes(&m)
            }),
        ),
        (Some(spoofer), Box::new(|q| bytes(&reply_to(q)))),
    ];
    let server = hostile(junk, true).await;
    let x = NetTransport
        .exchange(server, &question(), &opts(1000, 0))
        .await
        .expect("the genuine reply still wins");
    assert!(x.response.metadata.authoritative);
    let kinds: Vec<&str> = x
        .ignored
        .iter()
        .map(|i| match i {
            Ignored::Undecodable { .. } => "undecodable",
            Ignored::WrongId { .. } => "wrong_id",
            Ignored::NotAResponse => "not_a_response",
            Ignored::WrongQuestion { .. } => "wrong_question",
            Ignored::WrongSource { .. } => "wrong_source",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "undecodable",
            "wrong_id",
            "not_a_response",
            "wrong_question",
            "wrong_source"
        ]
    );
}

#[tokio::test]
async fn only_junk_is_a_timeout_that_lists_what_came() {
    let junk: Vec<Junk> = vec![(None, Box::new(|_| vec![1, 2, 3]))];
    let server = hostile(junk, false).await;
    let err = NetTransport
        .exchange(server, &question(), &opts(150, 0))
        .await
        .expect_err("no genuine reply");
    match &err {
        WireError::Timeout {
            attempts, ignored, ..
        } => {
            assert_eq!(*attempts, 1);
            assert_eq!(ignored.len(), 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("1 packet(s) ignored"), "{err}");
}

#[tokio::test]
async fn retries_resend_and_count_attempts() {
    // Drops the first datagram, answers the second.
    let sock = UdpSocket::bind("127.66.0.3:0").await.expect("bind");
    let server = sock.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        let _ = sock.recv_from(&mut buf).await;
        if let Ok((n, client)) = sock.recv_from(&mut buf).await
            && let Ok(q) = Message::from_vec(&buf[..n])
        {
            let _ = sock.send_to(&bytes(&reply_to(&q)), client).await;
        }
    });
    let x = NetTransport
        .exchange(server, &question(), &opts(150, 2))
        .await
        .expect("second attempt answered");
    assert_eq!(x.udp_attempts, 2);
}

#[tokio::test]
async fn nothing_listening_is_refused_at_once() {
    // A UDP socket connected to another peer holds the port (so nothing else can take it
    // while the test runs) but takes no datagram from us: the kernel answers our question
    // with ICMP port unreachable, exactly as if nothing listened there.
    let holder = UdpSocket::bind("127.66.0.4:0").await.expect("bind");
    holder.connect("127.66.0.99:9").await.expect("connect");
    let server = holder.local_addr().expect("addr");
    // With a minute per attempt, only a refusal can end this before the test harness gives
    // up: the outcome is the assertion, no clock is read.
    let err = NetTransport
        .exchange(server, &question(), &opts(60_000, 2))
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, WireError::Unreachable { .. }), "{err:?}");
    drop(holder);
}

#[tokio::test]
async fn a_cut_tcp_answer_is_a_bad_response() {
    let listener = TcpListener::bind("127.66.0.5:0").await.expect("bind");
    let server = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut s, _)) = listener.accept().await {
            let mut len = [0u8; 2];
            let _ = s.read_exact(&mut len).await;
            let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
            let _ = s.read_exact(&mut q).await;
            // Promise 100 bytes, send 3, hang up.
            let _ = s.write_all(&[0, 100, 1, 2, 3]).await;
        }
    });
    let tcp = QueryOptions {
        tcp_only: true,
        ..opts(1000, 0)
    };
    let err = NetTransport
        .exchange(server, &question(), &tcp)
        .await
        .expect_err("cut short");
    assert!(matches!(err, WireError::BadResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("cut short"), "{err}");
}
