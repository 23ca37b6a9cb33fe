"""Radio buttons and checkboxes whose state shows as a mark, not by colour alone."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class MarkedRadioButton(RadioButton):
    """`●` when chosen, empty when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        """The inner mark, by state."""
        return "●" if self.value else " "


class MarkedCheckbox(Checkbox):
    """`✔` when on, empty when off."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        """The inner mark, by state."""
        return "✔" if self.value else " "
