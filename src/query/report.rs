//! The report: the figures of DESIGN.md's questions, from the query model,
//! for the terminal (`hearsay report`) and the API (`/api/v1/report`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{Count, Dimension, Filter, Measure};
use crate::classify::{Channel, RequestClass};
use crate::event::EventKind;
use crate::store::{SqliteStore, StoreError};

/// Kinds of event that are requests (as opposed to page reports of shares
/// and conversions).
const REQUEST_KINDS: [EventKind; 5] = [
    EventKind::Redirect,
    EventKind::Miss,
    EventKind::Import,
    EventKind::Arrival,
    EventKind::Pageview,
];

/// The source buckets of page views, in report order.
pub const SOURCE_BUCKETS: [&str; 8] = [
    "search",
    "social",
    "email",
    "messaging",
    "internal",
    "referral",
    "direct_home",
    "direct_deep",
];

#[derive(Debug, Serialize)]
pub struct ChannelRow {
    pub channel: String,
    pub dark: bool,
    pub shares: i64,
    pub shares_declared: i64,
    pub shares_inferred: i64,
    pub clicks: i64,
    pub previews: i64,
    pub clicks_per_share: Option<f64>,
}

/// Shares whose clicks or previews named a channel: the declared one (or
/// none) beside what the evidence said.
#[derive(Debug, Serialize)]
pub struct LearntChannel {
    pub declared: Option<String>,
    pub inferred: String,
    pub shares: i64,
}

#[derive(Debug, Serialize, Default)]
pub struct DarkPublic {
    pub shares: i64,
    pub clicks: i64,
    pub previews: i64,
}

#[derive(Debug, Serialize)]
pub struct ContentRow {
    pub url: String,
    pub title: Option<String>,
    pub shares: i64,
}

#[derive(Debug, Serialize)]
pub struct DeviceRow {
    pub device: String,
    pub clicks: i64,
    pub page_views: i64,
}

#[derive(Debug, Serialize)]
pub struct DarkSocialEstimate {
    /// Page views by people with no referrer, on a deep page.
    pub direct_deep: i64,
    /// All page views by people.
    pub page_views: i64,
    /// `direct_deep / page_views`.
    pub share_of_page_views: Option<f64>,
}

/// Every figure of the report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub requests_by_class: BTreeMap<String, i64>,
    pub sources: BTreeMap<String, i64>,
    pub dark_social_estimate: DarkSocialEstimate,
    pub clicks: i64,
    pub previews: i64,
    pub shares: i64,
    pub misses: i64,
    pub clicks_per_share: Option<f64>,
    pub dark: DarkPublic,
    pub public: DarkPublic,
    pub channels: Vec<ChannelRow>,
    pub learnt_channels: Vec<LearntChannel>,
    pub devices: Vec<DeviceRow>,
    pub top_content: Vec<ContentRow>,
    pub top_crawler_rules: Vec<(String, i64)>,
    pub events_dropped: i64,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 1000.0).round() / 1000.0)
}

/// Builds the report, for one site or (with `None`) for the whole store.
///
/// # Errors
///
/// Fails if the store does.
pub fn build_report(store: &SqliteStore, site: Option<&str>) -> Result<Report, StoreError> {
    let scoped = |count: Count| match site {
        Some(id) => count.filter(Filter::Site(id.to_owned())),
        None => count,
    };
    let requests =
        || scoped(Count::new(Measure::Events).filter(Filter::Kinds(REQUEST_KINDS.to_vec())));
    let person_views = || {
        requests()
            .filter(Filter::PageViews)
            .filter(Filter::Class(RequestClass::Person))
    };

    let mut requests_by_class: BTreeMap<String, i64> = RequestClass::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), 0))
        .collect();
    for group in store.count(&requests().by(Dimension::Class))? {
        if let Some(class) = &group.keys[0] {
            *requests_by_class.entry(class.clone()).or_default() += group.count;
        }
    }

    let mut sources: BTreeMap<String, i64> =
        SOURCE_BUCKETS.iter().map(|b| (b.to_string(), 0)).collect();
    for group in store.count(&person_views().by(Dimension::Medium).by(Dimension::Landing))? {
        let bucket = match (group.keys[0].as_deref(), group.keys[1].as_deref()) {
            (Some("direct"), Some("home")) => "direct_home".to_owned(),
            (Some("direct"), _) => "direct_deep".to_owned(),
            (Some(medium), _) => medium.to_owned(),
            (None, _) => continue,
        };
        *sources.entry(bucket).or_default() += group.count;
    }
    let page_views: i64 = store.total(&person_views())?;

    let clicks_by_channel = store.count(
        &scoped(Count::new(Measure::Events).filter(Filter::Clicks)).by(Dimension::ShareChannel),
    )?;
    let previews_by_channel = store.count(
        &scoped(Count::new(Measure::Events))
            .filter(Filter::Kinds(vec![EventKind::Redirect]))
            .filter(Filter::Class(RequestClass::Preview))
            .by(Dimension::Channel),
    )?;
    let shares_by_channel = store.count(
        &scoped(Count::new(Measure::Shares))
            .by(Dimension::Channel)
            .by(Dimension::ChannelOrigin),
    )?;

    let mut rows: BTreeMap<String, ChannelRow> = BTreeMap::new();
    for group in &shares_by_channel {
        let entry = channel_row(&mut rows, group.keys[0].as_ref());
        entry.shares += group.count;
        match group.keys[1].as_deref() {
            Some("declared") => entry.shares_declared += group.count,
            _ => entry.shares_inferred += group.count,
        }
    }
    for group in &clicks_by_channel {
        channel_row(&mut rows, group.keys[0].as_ref()).clicks += group.count;
    }
    for group in &previews_by_channel {
        channel_row(&mut rows, group.keys[0].as_ref()).previews += group.count;
    }
    let mut dark = DarkPublic::default();
    let mut public = DarkPublic::default();
    let mut channels: Vec<ChannelRow> = rows.into_values().collect();
    for channel in &mut channels {
        channel.clicks_per_share = ratio(channel.clicks, channel.shares);
        let side = if channel.dark { &mut dark } else { &mut public };
        side.shares += channel.shares;
        side.clicks += channel.clicks;
        side.previews += channel.previews;
    }
    channels.sort_by(|a, b| {
        (b.shares + b.clicks)
            .cmp(&(a.shares + a.clicks))
            .then(a.channel.cmp(&b.channel))
    });

    let clicks = store.total(&scoped(Count::new(Measure::Events).filter(Filter::Clicks)))?;
    let previews = store.total(
        &scoped(Count::new(Measure::Events))
            .filter(Filter::Kinds(vec![EventKind::Redirect]))
            .filter(Filter::Class(RequestClass::Preview)),
    )?;
    let shares = store.total(&scoped(Count::new(Measure::Shares)))?;
    let misses = store
        .total(&scoped(Count::new(Measure::Events)).filter(Filter::Kinds(vec![EventKind::Miss])))?;

    let click_devices = store
        .count(&scoped(Count::new(Measure::Events).filter(Filter::Clicks)).by(Dimension::Device))?;
    let view_devices = store.count(&person_views().by(Dimension::Device))?;
    let mut devices: BTreeMap<String, DeviceRow> = BTreeMap::new();
    for (groups, is_click) in [(&click_devices, true), (&view_devices, false)] {
        for group in groups {
            let name = group.keys[0]
                .clone()
                .unwrap_or_else(|| "unknown".to_owned());
            let entry = devices.entry(name.clone()).or_insert(DeviceRow {
                device: name,
                clicks: 0,
                page_views: 0,
            });
            if is_click {
                entry.clicks += group.count;
            } else {
                entry.page_views += group.count;
            }
        }
    }
    let mut devices: Vec<DeviceRow> = devices.into_values().collect();
    devices.sort_by_key(|d| std::cmp::Reverse(d.clicks + d.page_views));

    let learnt_channels = store
        .count(
            &scoped(Count::new(Measure::Shares))
                .by(Dimension::Channel)
                .by(Dimension::InferredChannel),
        )?
        .into_iter()
        .filter_map(|g| {
            Some(LearntChannel {
                inferred: g.keys[1].clone()?,
                declared: g.keys[0].clone(),
                shares: g.count,
            })
        })
        .collect();

    let mut top_content = Vec::new();
    for group in store.count(
        &scoped(Count::new(Measure::Shares))
            .by(Dimension::Url)
            .limit(10),
    )? {
        let Some(url) = group.keys[0].clone() else {
            continue;
        };
        top_content.push(ContentRow {
            title: store.content_title(site, &url)?,
            url,
            shares: group.count,
        });
    }

    let top_crawler_rules = store
        .count(
            &requests()
                .filter(Filter::Class(RequestClass::Crawler))
                .by(Dimension::Rule)
                .limit(5),
        )?
        .into_iter()
        .filter_map(|g| Some((g.keys[0].clone()?, g.count)))
        .collect();

    Ok(Report {
        requests_by_class,
        dark_social_estimate: DarkSocialEstimate {
            direct_deep: sources["direct_deep"],
            page_views,
            share_of_page_views: ratio(sources["direct_deep"], page_views),
        },
        sources,
        clicks,
        previews,
        shares,
        misses,
        clicks_per_share: ratio(clicks, shares),
        dark,
        public,
        channels,
        learnt_channels,
        devices,
        top_content,
        top_crawler_rules,
        events_dropped: store.counter(crate::collect::writer::DROPPED_COUNTER)?,
    })
}

/// The row of a channel (`unknown` when none is known), made on first use.
fn channel_row<'a>(
    rows: &'a mut BTreeMap<String, ChannelRow>,
    name: Option<&String>,
) -> &'a mut ChannelRow {
    let name = name.cloned().unwrap_or_else(|| "unknown".to_owned());
    let dark = Channel::parse(&name).is_some_and(Channel::is_dark);
    rows.entry(name.clone()).or_insert_with(|| ChannelRow {
        channel: name,
        dark,
        shares: 0,
        shares_declared: 0,
        shares_inferred: 0,
        clicks: 0,
        previews: 0,
        clicks_per_share: None,
    })
}
