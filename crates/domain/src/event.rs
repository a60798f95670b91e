//! The envelope every recorded change carries: who did it, in which role and agency, through
//! which channel, and when.
//!
//! The event log is the audit trail (issue "one write path"): each aggregate's events are
//! stored with an [`EventMeta`], so "who changed this dossier and how" is answered by the log
//! itself, not by a second table that could disagree with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The role in which a person or program acted.
///
/// Staff roles follow the one-stop organisation of Decree 118/2025/NĐ-CP: desk officers
/// receive and return, specialists process, leaders approve and sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A citizen acting for themselves (công dân).
    Citizen,
    /// A person acting for a business or organisation.
    Business,
    /// One-stop desk officer (công chức tiếp nhận và trả kết quả).
    DeskOfficer,
    /// Specialist who processes dossiers (chuyên viên xử lý).
    Specialist,
    /// Leader who approves and signs (lãnh đạo).
    Leader,
    /// Agency administrator.
    AgencyAdmin,
    /// Reform inspector reading statistics of the units under them.
    Inspector,
    /// System administrator.
    SystemAdmin,
    /// The system itself (imports, scheduled jobs, the demo generator).
    System,
}

impl Role {
    /// Stable identifier stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Business => "business",
            Role::DeskOfficer => "desk_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::AgencyAdmin => "agency_admin",
            Role::Inspector => "inspector",
            Role::SystemAdmin => "system_admin",
            Role::System => "system",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "citizen" => Role::Citizen,
            "business" => Role::Business,
            "desk_officer" => Role::DeskOfficer,
            "specialist" => Role::Specialist,
            "leader" => Role::Leader,
            "agency_admin" => Role::AgencyAdmin,
            "inspector" => Role::Inspector,
            "system_admin" => Role::SystemAdmin,
            "system" => Role::System,
            _ => return None,
        })
    }
}

/// Through which channel an action reached the system.
///
/// For dossiers the first three match the DVCQG field `KenhThucHien`
/// (1 = in person, 2 = online, 3 = public postal service; regulations §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At the one-stop desk (trực tiếp).
    Desk,
    /// Online, through the portal (trực tuyến).
    Online,
    /// Public postal service (bưu chính công ích).
    Post,
    /// A machine client of the JSON API.
    Api,
    /// The command line.
    Cli,
    /// Internal: scheduled jobs, generators.
    System,
}

impl Channel {
    /// Stable identifier stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Desk => "desk",
            Channel::Online => "online",
            Channel::Post => "post",
            Channel::Api => "api",
            Channel::Cli => "cli",
            Channel::System => "system",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Channel> {
        Some(match s {
            "desk" => Channel::Desk,
            "online" => Channel::Online,
            "post" => Channel::Post,
            "api" => Channel::Api,
            "cli" => Channel::Cli,
            "system" => Channel::System,
            _ => return None,
        })
    }
}

/// Who acted: a person's account id (never a personal identification number), or a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Account identifier, e.g. `u:42` or `system:demo`. Never a personal identification number.
    pub id: String,
    /// The role the actor held for this action.
    pub role: Role,
    /// Identifier code of the agency the actor acted for, if any.
    pub agency: Option<String>,
}

impl Actor {
    /// The system itself acting under the given name (e.g. `import`, `demo`).
    pub fn system(name: &str) -> Actor {
        Actor {
            id: format!("system:{name}"),
            role: Role::System,
            agency: None,
        }
    }
}

/// The envelope of one recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMeta {
    /// When the change happened (business time, supplied by the caller's clock).
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: Actor,
    /// Through which channel.
    pub channel: Channel,
    /// Correlation id of the request that caused it, if any.
    pub request_id: Option<String>,
}
