//! Writing event batches: one transaction per batch, with the shares,
//! contents, link click counts and salts that the batch implies.

use std::collections::HashMap;

use rusqlite::params;

use super::{SqliteStore, StoreError};
use crate::event::{Event, EventKind};

/// Everything the writer commits together.
#[derive(Default)]
pub struct Batch {
    pub events: Vec<Event>,
    /// New daily salts to keep: (day `YYYY-MM-DD`, salt).
    pub salts: Vec<(String, [u8; 32])>,
    /// Salts of days before this one are destroyed.
    pub keep_salts_from: Option<String>,
    /// Counter increments: (name, delta).
    pub counters: Vec<(&'static str, i64)>,
}

impl SqliteStore {
    /// Commits a batch in one transaction.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; the transaction is rolled back and nothing of
    /// the batch is stored.
    pub fn write_batch(&mut self, batch: &Batch) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert_event = tx.prepare_cached(
                "INSERT INTO events (site_id, kind, ts_ms, class, channel, rule, method, user_agent,
                    referrer_host, medium, source, url, home, pageview, link_code, share_token,
                    visitor_id, device, os, browser, in_app, status, value, is_click)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            )?;
            let mut declare_share = tx.prepare_cached(
                "INSERT INTO shares (token, site_id, content_url, channel, channel_origin,
                    parent_token, visitor_id, origin, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 'declared', ?5, ?6, 'widget', ?7)
                 ON CONFLICT (token) DO UPDATE SET
                    channel = excluded.channel, channel_origin = 'declared',
                    parent_token = COALESCE(shares.parent_token, excluded.parent_token),
                    visitor_id = COALESCE(shares.visitor_id, excluded.visitor_id),
                    content_url = COALESCE(shares.content_url, excluded.content_url),
                    origin = CASE shares.origin WHEN 'arrival' THEN 'widget' ELSE shares.origin END",
            )?;
            let mut infer_share = tx.prepare_cached(
                "INSERT INTO shares (token, site_id, content_url, channel, channel_origin,
                    origin, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 'inferred', 'arrival', ?5)
                 ON CONFLICT (token) DO NOTHING",
            )?;
            let mut upsert_content = tx.prepare_cached(
                "INSERT INTO contents (site_id, url, title, topics) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (site_id, url) DO UPDATE SET
                    title = COALESCE(excluded.title, contents.title),
                    topics = COALESCE(excluded.topics, contents.topics)",
            )?;
            let mut clicks: HashMap<&str, i64> = HashMap::new();

            for event in &batch.events {
                let verdict = &event.verdict;
                let is_click = event.is_click();
                insert_event.execute(params![
                    event.site_id.as_deref(),
                    event.kind.as_str(),
                    event.ts_ms,
                    verdict.class.as_str(),
                    event.stored_channel().map(|c| c.as_str()),
                    verdict.rule,
                    event.method.map(|m| m.as_str()),
                    event.user_agent.as_deref(),
                    event.referrer_host.as_deref(),
                    event.medium.map(|m| m.as_str()),
                    event.source.as_deref(),
                    event.url.as_deref(),
                    event.home,
                    event.pageview,
                    event.link_code.as_deref(),
                    event.share_token.as_deref(),
                    event.visitor_id,
                    verdict.agent.device.as_str(),
                    verdict.agent.os.as_deref(),
                    verdict.agent.browser.as_deref(),
                    verdict.agent.in_app.as_deref(),
                    event.status,
                    event.value,
                    is_click,
                ])?;
                if is_click && let Some(code) = event.link_code.as_deref() {
                    *clicks.entry(code).or_default() += 1;
                }
                if let (Some(share), Some(site_id)) = (&event.share, event.site_id.as_deref()) {
                    let channel = share.channel.map(|c| c.as_str());
                    match event.kind {
                        EventKind::Share => declare_share.execute(params![
                            share.token,
                            site_id,
                            share.content_url,
                            channel,
                            share.parent,
                            event.visitor_id,
                            event.ts_ms
                        ])?,
                        _ => infer_share.execute(params![
                            share.token,
                            site_id,
                            share.content_url,
                            channel,
                            event.ts_ms
                        ])?,
                    };
                }
                if let (Some(content), Some(site_id)) = (&event.content, event.site_id.as_deref()) {
                    let topics = (!content.topics.is_empty())
                        .then(|| serde_json::to_string(&content.topics).expect("topics serialise"));
                    upsert_content.execute(params![site_id, content.url, content.title, topics])?;
                }
            }

            let mut add_clicks =
                tx.prepare_cached("UPDATE links SET clicks = clicks + ?2 WHERE code = ?1")?;
            for (code, n) in clicks {
                add_clicks.execute(params![code, n])?;
            }
            for (day, salt) in &batch.salts {
                tx.execute(
                    "INSERT OR IGNORE INTO salts (day, salt) VALUES (?1, ?2)",
                    params![day, &salt[..]],
                )?;
            }
            if let Some(first_kept) = &batch.keep_salts_from {
                tx.execute("DELETE FROM salts WHERE day < ?1", [first_kept])?;
            }
            for (name, delta) in &batch.counters {
                tx.execute(
                    "INSERT INTO counters (name, value) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                    params![name, delta],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The salts still kept, by day.
    pub fn salts(&self) -> Result<Vec<(String, [u8; 32])>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, salt FROM salts ORDER BY day")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .filter_map(|row| match row {
                Ok((day, salt)) => <[u8; 32]>::try_from(salt.as_slice())
                    .ok()
                    .map(|s| Ok((day, s))),
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
