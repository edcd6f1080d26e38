"""Reading boundary files (GeoJSON, GeoPackage, zipped Shapefile) in any CRS."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
import shapely.validation

from sozialmonitor.errors import Problem

STORAGE_CRS = "EPSG:4326"
# ETRS89-LAEA: equal-area, so areas are true anywhere in Germany (UTM 32 is off by ~1 % in zone 33)
METRIC_CRS = "EPSG:3035"
CRS_HINT_DE = (
    "geben Sie das richtige KBS an (--crs beim Import, crs: in city.yaml), in Deutschland meist EPSG:25832 "
    "(UTM 32) oder EPSG:25833 (UTM 33, z. B. Berlin, Sachsen)"
)
CRS_HINT_EN = (
    "state the right CRS (--crs when importing, crs: in city.yaml); in Germany mostly EPSG:25832 (UTM 32) or "
    "EPSG:25833 (UTM 33, e.g. Berlin, Saxony)"
)


def read_boundaries(path: Path, layer: str | None = None, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file; zipped Shapefiles are read from inside the archive, ``.gz`` files unpacked."""
    target = str(path)
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
        except zipfile.BadZipFile:
            shps = []
        if len(shps) != 1:
            from sozialmonitor.errors import ImportValidationError

            raise ImportValidationError(
                [
                    Problem(
                        path.name,
                        None,
                        None,
                        f"{len(shps)} .shp",
                        "genau eine Shapefile-Ebene im ZIP",
                        "exactly one Shapefile layer in the ZIP",
                    )
                ]
            )
        target = f"zip://{path}!{shps[0]}"
    elif path.suffix.lower() == ".gz":  # e.g. planungsraeume.geojson.gz, read through GDAL's gzip reader
        target = f"/vsigzip/{path}"
    kwargs = {"layer": layer} if layer else {}
    try:
        gdf = gpd.read_file(target, engine="pyogrio", **kwargs)
    except Exception as exc:  # GDAL's messages for broken, foreign or truncated files are many
        from sozialmonitor.errors import ImportValidationError

        raise ImportValidationError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    str(exc).split(";")[0][:200],
                    "eine lesbare Grenzdatei (GeoJSON, GeoPackage oder ZIP mit Shapefile)",
                    "a readable boundary file (GeoJSON, GeoPackage or ZIP with a Shapefile)",
                )
            ]
        ) from None
    if crs:  # the user states the CRS: files without one, or GeoJSON in metres declared as WGS84
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        from sozialmonitor.errors import ImportValidationError

        try:
            gdf = gdf.set_crs(CRS.from_user_input(crs), allow_override=True)
        except CRSError:
            raise ImportValidationError(
                [Problem(path.name, None, "--crs", crs, "ein KBS wie EPSG:25832", "a CRS such as EPSG:25832")]
            ) from None
    return gdf


def check_boundaries(
    gdf: gpd.GeoDataFrame, file: str, key_field: str, name_field: str | None
) -> list[Problem]:
    """Validation before any write: key column present, keys unique and non-empty, geometries valid."""
    problems: list[Problem] = []
    if gdf.empty:
        return [Problem(file, None, None, None, "mindestens eine Fläche", "at least one feature")]
    for field, label in ((key_field, "key"), (name_field, "name")):
        if field and field not in gdf.columns:
            problems.append(
                Problem(
                    file,
                    None,
                    field,
                    None,
                    f"Attribut {field!r} ({label}); vorhanden: {', '.join(map(str, gdf.columns))}",
                    f"attribute {field!r} ({label}); present: {', '.join(map(str, gdf.columns))}",
                )
            )
    if problems:
        return problems
    if gdf.crs is None:
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                "ein Koordinatenbezugssystem (CRS)",
                "a coordinate reference system (CRS)",
            )
        )
    elif gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if min(minx, miny) < -180 or maxx > 180 or maxy > 90:
            problems.append(
                Problem(
                    file,
                    None,
                    "crs",
                    f"{gdf.crs.to_string()}, x {minx:.0f} … {maxx:.0f}, y {miny:.0f} … {maxy:.0f}",
                    "Längen-/Breitengrade, wie das angegebene KBS sagt – die Zahlen sind wohl Meter: "
                    + CRS_HINT_DE,
                    "longitude/latitude as the stated CRS says – the numbers look like metres: "
                    + CRS_HINT_EN,
                )
            )
    elif gdf.crs.is_projected:
        minx, miny, maxx, maxy = gdf.total_bounds
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            problems.append(
                Problem(
                    file,
                    None,
                    "crs",
                    f"{gdf.crs.to_string()}, x {minx:.3f} … {maxx:.3f}, y {miny:.3f} … {maxy:.3f}",
                    "Meter, wie das angegebene KBS sagt – die Zahlen sind wohl Längen-/Breitengrade: "
                    + CRS_HINT_DE,
                    "metres as the stated CRS says – the numbers look like longitude/latitude: "
                    + CRS_HINT_EN,
                )
            )
    seen: dict[str, int] = {}
    for i, (key, geom) in enumerate(zip(gdf[key_field], gdf.geometry, strict=True), start=1):
        skey = normalise_key(key)
        if not skey:
            problems.append(Problem(file, i, key_field, None, "einen Schlüssel", "a key"))
        elif skey in seen:
            problems.append(
                Problem(
                    file,
                    i,
                    key_field,
                    skey,
                    f"eindeutigen Schlüssel (schon in Objekt {seen[skey]})",
                    f"a unique key (already in feature {seen[skey]})",
                )
            )
        else:
            seen[skey] = i
        if geom is None or geom.is_empty:
            problems.append(Problem(file, i, "geometry", None, "eine Fläche", "a polygon"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(
                    file,
                    i,
                    "geometry",
                    geom.geom_type,
                    "Polygon oder MultiPolygon",
                    "Polygon or MultiPolygon",
                )
            )
        elif not geom.is_valid:
            problems.append(
                Problem(
                    file,
                    i,
                    "geometry",
                    shapely.validation.explain_validity(geom)[:120],
                    "eine gültige Fläche (ohne Selbstüberschneidung); --repair repariert sie",
                    "a valid polygon (no self-intersection); --repair repairs it",
                )
            )
    return problems


def repair_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Invalid polygons made valid (``shapely.make_valid``), keeping only their polygonal parts: a bow-tie
    becomes two triangles. Valid polygons are left as they are."""
    import shapely.geometry as sg

    def polygonal(geom: object) -> object:
        if geom is None or getattr(geom, "is_valid", True):
            return geom
        fixed = shapely.make_valid(geom)
        if fixed.geom_type in ("Polygon", "MultiPolygon"):
            return fixed
        parts = [g for g in getattr(fixed, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
        polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
        return sg.MultiPolygon(polys) if polys else fixed

    return gdf.set_geometry([polygonal(g) for g in gdf.geometry], crs=gdf.crs)


def normalise_key(value: object) -> str:
    """Keys are strings; numeric keys read as floats (``11.0``) become ``11``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()
