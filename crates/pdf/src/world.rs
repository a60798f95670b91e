//! The smallest typst `World` that renders our documents: one main template, the shared
//! `common.typ`, a few in-memory files (the data as JSON, the QR code, the scans) and the four
//! embedded Liberation Serif faces. Nothing is read from disk, nothing is downloaded (there
//! is no package support at all), and there is no clock: `today()` is `None`, so a template
//! that asked for the date would fail instead of silently making the output time-dependent.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Liberation Serif, metric-compatible with Times New Roman (fonts/README.md says why).
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

const COMMON_TEMPLATE: &str = include_str!("../templates/common.typ");

/// What every render shares, built once per process: parsing four fonts and building the
/// standard library is the expensive part of a first render.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// A file id for an absolute virtual path.
///
/// Ids are interned for the life of the process (typst caps them at 2^16), so callers use a
/// fixed set of names (`/data.json`, `/scan-1.png`, …), never names derived from user data.
pub(crate) fn file_id(path: &str) -> FileResult<FileId> {
    let vpath =
        VirtualPath::new(path).map_err(|err| FileError::Other(Some(err.to_string().into())))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One document's world: its template and its in-memory files.
pub(crate) struct DocumentWorld {
    main: Source,
    common: Source,
    files: Vec<(FileId, Bytes)>,
}

impl DocumentWorld {
    /// A world whose main source is `template`, seeing `files` under their virtual paths.
    pub(crate) fn new(template: &str, files: Vec<(&str, Bytes)>) -> FileResult<Self> {
        let main = Source::new(file_id("/main.typ")?, template.to_owned());
        let common = Source::new(file_id("/common.typ")?, COMMON_TEMPLATE.to_owned());
        let files = files
            .into_iter()
            .map(|(path, bytes)| Ok((file_id(path)?, bytes)))
            .collect::<FileResult<_>>()?;
        Ok(Self {
            main,
            common,
            files,
        })
    }
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Ok(source) = self.source(id) {
            return Ok(Bytes::from_string(source.text().to_owned()));
        }
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

/// The diagnostics of a failed compile or export, one per line, for `PdfError`.
pub(crate) fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let mut line = d.message.to_string();
            for hint in &d.hints {
                line.push_str(" (hint: ");
                line.push_str(&hint.v);
                line.push(')');
            }
            line
        })
        .collect::<Vec<_>>()
        .join("; ")
}
