"""Pictures are fingerprinted as displayed: EXIF orientations 1-8, modes, the quality warning."""

from __future__ import annotations

import pytest
from PIL import Image, ImageOps

from fingerprint_client.hashing import HashOptions, hash_one
from fingerprint_client.hashing.pdq import hamming, pdq_from_image
from tests.fixtures.images import WriteFile, image_bytes, photo_like, with_orientation

#: EXIF orientation -> how to store the displayed picture so that a viewer shows it upright
STORE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
OPTIONS = HashOptions()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_applied(orientation: int, image_file: WriteFile) -> None:
    displayed = photo_like(240, 160, seed=7)
    method = STORE[orientation]
    stored = displayed if method is None else displayed.transpose(method)
    upright = hash_one(
        image_file("upright.jpg", image_bytes("JPEG", displayed, quality=95)), OPTIONS
    )
    path = image_file(f"o{orientation}.jpg", with_orientation(stored, orientation))
    result = hash_one(path, OPTIONS)
    assert result.ok, result.error
    assert (result.width, result.height) == (240, 160)
    with Image.open(path) as decoded:
        decoded.draft("L", None)  # as the loader does: colour JPEGs decode to luminance
        decoded.load()
        assert result.hashes["pdq"] == pdq_from_image(ImageOps.exif_transpose(decoded)).hex
        as_stored = pdq_from_image(decoded).hex
    assert hamming(result.hashes["pdq"], upright.hashes["pdq"]) <= 16  # JPEG noise only
    if orientation == 1:
        assert result.pdq_stored_orientation is None
        assert "pdq_stored_orientation" not in result.to_json()
    else:
        assert result.pdq_stored_orientation == as_stored
        assert result.to_json()["pdq_stored_orientation"] == as_stored
        assert hamming(as_stored, result.hashes["pdq"]) > 31


@pytest.mark.parametrize(
    "mode", ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "I", "I;16", "F"]
)
def test_pillow_modes_hash_close_to_the_rgb_original(mode: str, image_file: WriteFile) -> None:
    original = photo_like(160, 120, seed=3)
    reference = pdq_from_image(original)
    converted = (
        original.convert(mode) if mode not in ("I;16",) else original.convert("L").convert("I;16")
    )
    fmt = "TIFF" if mode in ("I", "I;16", "F", "CMYK", "PA") else "PNG"
    path = image_file(f"m.{fmt.lower()}", image_bytes(fmt, converted))
    result = hash_one(path, OPTIONS)
    assert result.ok, (mode, result.error)
    limit = 90 if mode == "1" else 31  # a 1-bit picture keeps only rough shapes
    assert hamming(result.hashes["pdq"], reference.hex) <= limit


def test_low_quality_warns(image_file: WriteFile) -> None:
    flat = Image.new("RGB", (200, 200), (120, 130, 140))
    result = hash_one(image_file("flat.png", image_bytes("PNG", flat)), OPTIONS)
    assert result.ok
    assert result.pdq_quality is not None and result.pdq_quality < 50
    assert any("under 50" in w for w in result.warnings)
    detailed = hash_one(image_file("photo.png", image_bytes("PNG", photo_like(200, 200))), OPTIONS)
    assert detailed.pdq_quality is not None and detailed.pdq_quality >= 50
    assert detailed.warnings == []


def test_variants_and_imagehashes_on_request(image_file: WriteFile) -> None:
    path = image_file("p.png", image_bytes("PNG", photo_like(200, 150)))
    options = HashOptions(algorithms=("pdq", "phash", "dhash", "whash", "sha256"), variants=True)
    result = hash_one(path, options)
    assert list(result.hashes) == ["pdq", "phash", "dhash", "whash", "sha256"]
    assert all(len(result.hashes[n]) == 16 for n in ("phash", "dhash", "whash"))
    assert result.pdq_variants is not None
    assert set(result.pdq_variants) == {
        "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flip_plus1", "flip_minus1",
    }  # fmt: skip
    assert set(result.to_json()["pdq_variants"]) == set(result.pdq_variants)
    no_pdq = hash_one(path, HashOptions(algorithms=("md5",)))
    assert list(no_pdq.hashes) == ["md5"] and no_pdq.pdq_quality is None


def test_colorhash_is_never_an_option() -> None:
    with pytest.raises(ValueError, match="colorhash"):
        HashOptions(algorithms=("pdq", "colorhash"))


def test_digests_are_of_the_exact_file(image_file: WriteFile) -> None:
    import hashlib

    data = image_bytes("JPEG", photo_like(300, 200))
    result = hash_one(image_file("d.jpg", data), OPTIONS)
    assert result.hashes["md5"] == hashlib.md5(data).hexdigest()
    assert result.hashes["sha256"] == hashlib.sha256(data).hexdigest()


def test_big_jpeg_decodes_reduced_but_never_below_512(image_file: WriteFile) -> None:
    from fingerprint_client.hashing._loader import load_image

    data = image_bytes("JPEG", photo_like(2100, 1100), quality=90)
    path = image_file("big.jpg", data)
    with path.open("rb") as f:
        loaded = load_image(f, ("JPEG",))
    assert (loaded.width, loaded.height) == (2100, 1100)
    assert loaded.image.size == (1050, 550)  # scale 1/2: 1/4 would give 275 rows
