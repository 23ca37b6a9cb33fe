"""The app's themes: a calm default and a high-contrast one (black, white, yellow)."""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "fc-calm"
HIGH_CONTRAST = "fc-high-contrast"

THEMES: tuple[Theme, ...] = (
    Theme(
        name=DEFAULT_THEME,
        primary="#5B8DEF",
        secondary="#3D6BC4",
        accent="#E6B450",
        warning="#E6B450",
        error="#E5727A",
        success="#7BC88F",
        foreground="#E4E6EB",
        background="#15181E",
        surface="#1E232B",
        panel="#262C36",
        dark=True,
    ),
    Theme(
        name=HIGH_CONTRAST,
        primary="#FFFF00",
        secondary="#FFFFFF",
        accent="#00FFFF",
        warning="#FFFF00",
        error="#FF6060",
        success="#00FF00",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#000000",
        boost="#FFFFFF",
        dark=True,
        luminosity_spread=0.0,
        text_alpha=1.0,
    ),
)

THEME_LABELS: dict[str, str] = {
    DEFAULT_THEME: "Calm (default)",
    HIGH_CONTRAST: "High contrast",
}

SETTING_TO_THEME: dict[str, str] = {"default": DEFAULT_THEME, "high-contrast": HIGH_CONTRAST}
"""`config.Settings.theme` values -> Textual theme names."""
THEME_TO_SETTING: dict[str, str] = {v: k for k, v in SETTING_TO_THEME.items()}
