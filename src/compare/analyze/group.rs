//! Choosing the primary and grouping identical answers.

use super::serial::newest;
use super::{Group, ServerView};
use crate::compare::Kind;

/// The primary: among the authoritative servers with a usable answer, one with the highest
/// serial (RFC 1982), the lowest address first so the choice does not depend on the order
/// the servers were given in.
pub(super) fn primary(servers: &[ServerView]) -> Option<usize> {
    let auth: Vec<usize> = (0..servers.len())
        .filter(|&i| servers[i].kind == Kind::Authoritative && servers[i].key.is_some())
        .collect();
    let top = newest(auth.iter().filter_map(|&i| servers[i].serial()));
    auth.into_iter()
        .filter(|&i| top.is_none() || servers[i].serial() == top)
        .min_by_key(|&i| servers[i].addr)
}

/// Group identical answers, in order of first appearance with the primary's group moved
/// first; set each server's `group`. Returns the groups and the reference group (0, when the
/// primary has one).
pub(super) fn groups(
    servers: &mut [ServerView],
    primary: Option<usize>,
) -> (Vec<Group>, Option<usize>) {
    let mut groups: Vec<Group> = Vec::new();
    for (i, s) in servers.iter_mut().enumerate() {
        let Some(key) = &s.key else { continue };
        let g = match groups.iter().position(|g| g.key == *key) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    key: key.clone(),
                    members: Vec::new(),
                });
                groups.len() - 1
            }
        };
        groups[g].members.push(i);
        s.group = Some(g);
    }
    let Some(r) = primary.and_then(|p| servers.get(p)).and_then(|p| p.group) else {
        return (groups, None);
    };
    let g = groups.remove(r);
    groups.insert(0, g);
    for s in servers.iter_mut() {
        s.group = s.group.map(|g| match g {
            _ if g == r => 0,
            _ if g < r => g + 1,
            _ => g,
        });
    }
    (groups, Some(0))
}
