//! Why an edit (a procedure, a display) is refused: the field, named as the API writes it
//! (`steps[2].days`, `scenes[1].unit`), and the reason.

/// Why an edit is refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub reason: String,
}

/// A refusal of `field` for `reason`.
pub(crate) fn refuse(field: impl Into<String>, reason: impl Into<String>) -> Refusal {
    Refusal {
        field: field.into(),
        reason: reason.into(),
    }
}
