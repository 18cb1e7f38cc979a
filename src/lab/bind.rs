//! Binding the planned servers: each on its own loopback address, plain DNS on the lab's
//! port, the encrypted transports where the manifest asks for them, and the faults.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::rdata::opt::NSIDPayload;
use hickory_server::Server;
use hickory_server::zone_handler::{Catalog, ZoneHandler};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinSet;

use super::*;

pub(super) async fn bind_all(
    planned: Vec<Planned>,
    hierarchy: Hierarchy,
    port: u16,
) -> Result<Lab, LabError> {
    let Hierarchy { root_ns, signed } = hierarchy;
    let authority = secure::Authority::new()?;
    let mut running = Vec::new();
    let mut resolvers = Vec::new();
    let mut blackholes = JoinSet::new();
    let mut servers = Vec::new();
    let mut handlers = Vec::new();
    let root_ips: Vec<IpAddr> = planned
        .iter()
        .filter(|p| p.server.zones.iter().any(Name::is_root) && root_ns.contains(&p.server.name))
        .map(|p| IpAddr::V4(p.server.address))
        .collect();
    for mut p in planned {
        let addr = SocketAddr::new(IpAddr::V4(p.server.address), port);
        let bind_err = |e: std::io::Error| LabError::Bind {
            addr,
            reason: e.to_string(),
        };
        match p.server.fault {
            Some(Fault::Down) => {}
            Some(Fault::Blackhole) => {
                let udp = UdpSocket::bind(addr).await.map_err(bind_err)?;
                let tcp = TcpListener::bind(addr).await.map_err(bind_err)?;
                blackholes.spawn(swallow(udp, tcp));
            }
            None if p.server.kind == ServerKind::Resolver => {
                let anchor = if p.server.validating {
                    signed
                        .iter()
                        .find(|(z, _)| z.is_root())
                        .and_then(|_| sign::root_key())
                } else {
                    None
                };
                let handler = resolver::ResolverHandler::new(
                    &root_ips,
                    port,
                    p.server.latency,
                    p.server.name.clone(),
                    anchor,
                )?;
                let server = serve(handler, &mut p, port, &authority, &mut blackholes).await?;
                resolvers.push(server);
            }
            None => {
                let mut catalog = Catalog::new();
                for z in &p.zones {
                    catalog.upsert(z.origin().clone(), vec![z.clone() as Arc<dyn ZoneHandler>]);
                }
                // The server's identity, for clients that ask for it (EDNS NSID, RFC 5001).
                catalog.set_nsid(NSIDPayload::new(p.server.name.to_ascii().into_bytes()).ok());
                let handler = LabHandler {
                    catalog,
                    zones: p.zones.clone(),
                    latency: p.server.latency,
                    identity: p.server.name.clone(),
                };
                let server = serve(handler, &mut p, port, &authority, &mut blackholes).await?;
                running.push(server);
            }
        }
        servers.push(p.server);
        handlers.push(p.zones);
    }
    Ok(Lab {
        port,
        servers,
        handlers,
        lagging: std::sync::Mutex::new(std::collections::HashSet::new()),
        pending: std::sync::Mutex::new(Vec::new()),
        ops: tokio::sync::Mutex::new(()),
        root_ns,
        signed,
        resolvers,
        running,
        blackholes,
        authority,
    })
}

/// A server for `handler` on the planned address: UDP and TCP on the lab's port, and DoT, DoH
/// and DoQ when the manifest asks (their ports go into the plan).
async fn serve<T: hickory_server::server::RequestHandler>(
    handler: T,
    p: &mut Planned,
    port: u16,
    authority: &secure::Authority,
    tasks: &mut JoinSet<()>,
) -> Result<Server<T>, LabError> {
    let addr = SocketAddr::new(IpAddr::V4(p.server.address), port);
    let bind_err = |e: std::io::Error| LabError::Bind {
        addr,
        reason: e.to_string(),
    };
    let udp = UdpSocket::bind(addr).await.map_err(bind_err)?;
    let tcp = TcpListener::bind(addr).await.map_err(bind_err)?;
    let mut server = Server::new(handler);
    server.register_socket(udp);
    server.register_listener(tcp, TCP_IDLE, 64);
    if let Some(state) = p.encrypted {
        let name = p.server.name.to_ascii();
        let name = name.trim_end_matches('.');
        let ports = secure::listen(
            &mut server,
            authority,
            name,
            p.server.address,
            port,
            state,
            tasks,
        )
        .await?;
        p.server.secure = Some(ports);
    }
    Ok(server)
}

/// A black hole: read everything, answer nothing. TCP connections are accepted and held open
/// until the client gives up, as a stuck server would.
async fn swallow(udp: UdpSocket, tcp: TcpListener) {
    let mut held = JoinSet::new();
    let mut buf = vec![0u8; 65_535];
    loop {
        tokio::select! {
            r = udp.recv_from(&mut buf) => { if r.is_err() { break; } }
            r = tcp.accept() => {
                match r {
                    Ok((mut stream, _)) => {
                        held.spawn(async move {
                            let mut sink = tokio::io::sink();
                            let _ = tokio::io::copy(&mut stream, &mut sink).await;
                        });
                    }
                    // Out of file descriptors or similar: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
            // Reap the connections the clients closed.
            Some(_) = held.join_next(), if !held.is_empty() => {}
        }
    }
}
