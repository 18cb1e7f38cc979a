//! Changing the running lab, as a zone's operator would: replace an RRset on the primary (and
//! bump the SOA serial), while a lagging secondary keeps the old copy until it catches up.
//! `compare` scenarios use this to show propagation for real.

use hickory_proto::rr::{Name, RData, Record, RecordType, RrKey};
use hickory_server::zone_handler::ZoneHandler;

use super::{Lab, LabError, Zone};

/// A new content for one RRset. No data means the RRset is deleted.
#[derive(Debug, Clone)]
pub struct Change {
    /// The owner name.
    pub name: Name,
    /// The type.
    pub rtype: RecordType,
    /// The TTL of the new records.
    pub ttl: u32,
    /// The new records' data; empty to delete the RRset.
    pub data: Vec<RData>,
}

impl Lab {
    /// Mark a server as lagging (it takes no changes) or not.
    pub fn set_lagging(&self, server: &Name, lagging: bool) {
        let mut set = self
            .lagging
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if lagging {
            set.insert(server.to_lowercase());
        } else {
            set.remove(&server.to_lowercase());
        }
    }

    /// Whether a server is lagging.
    pub fn is_lagging(&self, server: &Name) -> bool {
        self.lagging
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&server.to_lowercase())
    }

    /// Apply a change to every server holding the zone of `change.name`, except the lagging
    /// ones, bumping each zone's SOA serial by one. Returns the servers changed and their new
    /// serial.
    ///
    /// # Errors
    /// [`LabError::Missing`] when no server holds a zone for the name.
    pub async fn apply(&self, change: &Change) -> Result<Vec<(Name, u32)>, LabError> {
        // One change at a time: a catch-up replaying missed changes must not interleave.
        let _one = self.ops.lock().await;
        if change.data.is_empty() && !self.has_rrset(&change.name, change.rtype).await {
            // Deleting what is not there changes nothing, so the serial stays.
            // See: issue 11, defect 11.
            return Err(LabError::Missing(format!(
                "nothing to delete: no {} {} on the servers that take changes",
                crate::present::name(&change.name),
                crate::wire::rtype_name(change.rtype)
            )));
        }
        let done = self.apply_on(change, None, None).await?;
        let target = self.zone_holding(&change.name);
        // Remember the change for the lagging servers of the zone, to replay on catch-up.
        let serial = done.iter().map(|(_, s)| *s).max().unwrap_or(0);
        let lagging: Vec<Name> = self
            .servers
            .iter()
            .zip(&self.handlers)
            .filter(|(s, zones)| {
                self.is_lagging(&s.name)
                    && target
                        .as_ref()
                        .is_some_and(|t| zones.iter().any(|z| Name::from(z.origin().clone()) == *t))
            })
            .map(|(s, _)| s.name.clone())
            .collect();
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for server in lagging {
            pending.push((server, change.clone(), serial));
        }
        Ok(done)
    }

    /// A lagging server catches up: it stops lagging and gets every change it missed, with
    /// the primary's serial, as a zone transfer would bring them. Returns how many changes.
    ///
    /// # Errors
    /// [`LabError::Change`] if replaying a change fails.
    pub async fn catch_up(&self, server: &Name) -> Result<usize, LabError> {
        let _one = self.ops.lock().await;
        let missed: Vec<(Change, u32)> = {
            let mut pending = self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (mine, rest): (Vec<_>, Vec<_>) = pending
                .drain(..)
                .partition(|(s, _, _)| s.to_lowercase() == server.to_lowercase());
            *pending = rest;
            mine.into_iter().map(|(_, c, serial)| (c, serial)).collect()
        };
        for (change, serial) in &missed {
            self.apply_on(change, Some(std::slice::from_ref(server)), Some(*serial))
                .await?;
        }
        // Only now does it take changes again, so nothing newer is overwritten by the replay.
        self.set_lagging(server, false);
        Ok(missed.len())
    }

    /// Apply a change to the named servers only (a secondary catching up), setting the SOA
    /// serial to `serial` when given (the primary's), else bumping it by one.
    ///
    /// # Errors
    /// [`LabError::Missing`] when none of the servers holds a zone for the name.
    pub async fn apply_on(
        &self,
        change: &Change,
        only: Option<&[Name]>,
        serial: Option<u32>,
    ) -> Result<Vec<(Name, u32)>, LabError> {
        // The zone that holds the name: the deepest one the lab serves. Only its servers
        // change; a parent's copy of glue or a root's data stay as they are.
        if change.rtype == RecordType::SOA {
            return Err(LabError::Change(
                "the SOA changes with every change (its serial goes up); it cannot be set or deleted".to_string(),
            ));
        }
        let Some(target) = self.zone_holding(&change.name) else {
            return Err(LabError::Missing(format!(
                "no lab server holds a zone for {}",
                change.name
            )));
        };
        // One new serial for the zone, above every copy's (a secondary that lags must not get
        // different content under a serial the primary already used).
        let mut highest = 0u32;
        for zones in &self.handlers {
            for z in zones
                .iter()
                .filter(|z| Name::from(z.origin().clone()) == target)
            {
                highest = highest.max(z.serial().await);
            }
        }
        let new_serial = serial.unwrap_or(highest.wrapping_add(1));
        let mut done = Vec::new();
        for (server, zones) in self.servers.iter().zip(&self.handlers) {
            let chosen = match only {
                Some(list) => list
                    .iter()
                    .any(|n| n.to_lowercase() == server.name.to_lowercase()),
                None => !self.is_lagging(&server.name),
            };
            if !chosen {
                continue;
            }
            let Some(zone) = zones
                .iter()
                .find(|z| Name::from(z.origin().clone()) == target)
            else {
                continue;
            };
            replace(zone, change, new_serial).await?;
            if let Some((_, spec)) = self.signed.iter().find(|(z, _)| *z == target) {
                super::sign::resign(zone, spec).await;
            }
            done.push((server.name.clone(), zone.serial().await));
        }
        if done.is_empty() {
            return Err(LabError::Missing(format!(
                "no lab server holds a zone for {} (or all of them are lagging)",
                change.name
            )));
        }
        Ok(done)
    }

    /// Whether a server that takes changes holds the RRset `name`/`rtype`.
    async fn has_rrset(&self, name: &Name, rtype: RecordType) -> bool {
        let key = RrKey::new(name.to_lowercase().into(), rtype);
        for (server, zones) in self.servers.iter().zip(&self.handlers) {
            if self.is_lagging(&server.name) {
                continue;
            }
            for z in zones {
                if z.records().await.contains_key(&key) {
                    return true;
                }
            }
        }
        false
    }

    /// The deepest zone the lab serves that contains `name`.
    fn zone_holding(&self, name: &Name) -> Option<Name> {
        self.handlers
            .iter()
            .flatten()
            .map(|z| Name::from(z.origin().clone()))
            .filter(|o| o.zone_of(name))
            .max_by_key(Name::num_labels)
    }

    /// The SOA record of `zone` as the first server holding it serves it now.
    pub async fn soa(&self, zone: &Name) -> Option<Record> {
        let key = RrKey::new(zone.to_lowercase().into(), RecordType::SOA);
        for z in self.handlers.iter().flatten() {
            if Name::from(z.origin().clone()) == zone.to_lowercase() {
                return z
                    .records()
                    .await
                    .get(&key)
                    .and_then(|set| set.records_without_rrsigs().next().cloned());
            }
        }
        None
    }

    /// The current SOA serial of each server holding the zone `zone`.
    pub async fn serials(&self, zone: &Name) -> Vec<(Name, u32)> {
        let mut out = Vec::new();
        for (server, zones) in self.servers.iter().zip(&self.handlers) {
            for z in zones {
                if Name::from(z.origin().clone()) == zone.to_lowercase() {
                    out.push((server.name.clone(), z.serial().await));
                }
            }
        }
        out
    }
}

async fn replace(zone: &Zone, change: &Change, serial: u32) -> Result<(), LabError> {
    let key = RrKey::new(change.name.clone().into(), change.rtype);
    let old = zone.records_mut().await.remove(&key);
    for data in &change.data {
        let record = Record::from_rdata(change.name.clone(), change.ttl, data.clone());
        if !zone.upsert(record, serial).await {
            // hickory refuses e.g. a CNAME next to other data: put the old RRset back.
            if let Some(old) = old {
                zone.records_mut().await.insert(key, old);
            }
            return Err(LabError::Change(format!(
                "{} {} was refused by the zone (a CNAME cannot share its name with other data)",
                change.name, change.rtype
            )));
        }
    }
    // upsert does not touch the SOA: write the new serial ourselves.
    let soa_key = RrKey::new(zone.origin().clone(), RecordType::SOA);
    let soa = zone
        .records()
        .await
        .get(&soa_key)
        .and_then(|set| set.records_without_rrsigs().next().cloned());
    if let Some(mut record) = soa {
        if let RData::SOA(soa) = &mut record.data {
            soa.serial = serial;
        }
        zone.upsert(record, serial).await;
    }
    Ok(())
}
