"""The wall screen's map of Mile: the gazetteer's spots and the urban centre projected onto a plane (SVG).

Offline by design (police networks reach no tile server): an equirectangular projection around the middle of
the spots, in kilometres, framed with a 0.1° graticule, a scale bar and north up. Spots without coordinates
in config/gazetteer.yaml are listed beside the map instead of drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from yuqing.config import Gazetteer

WIDTH = 1000.0  # SVG user units across; the height follows the area's shape
KM_PER_DEG_LAT = 110.57
PAD_X_KM, PAD_Y_KM = 9.0, 4.0  # room for the labels beside the outermost spots
GRID_DEG = 0.1
SCALE_KM = 5


@dataclass
class Point:
    name: str
    x: float
    y: float
    label_left: bool = False


@dataclass
class MapLayout:
    width: float
    height: float
    spots: list[Point]
    centre: Point | None
    unplaced: list[str]
    grid_x: list[tuple[float, str]] = field(default_factory=list)
    grid_y: list[tuple[float, str]] = field(default_factory=list)
    scale_px: float = 0.0
    scale_km: int = SCALE_KM

    @property
    def font(self) -> float:
        return round(self.width * 0.034, 1)


def layout(gazetteer: Gazetteer) -> MapLayout | None:
    """Where each spot sits on the map, or None when no spot has coordinates."""
    placed = [s for s in gazetteer.spots if s.lat is not None and s.lon is not None]
    if not placed:
        return None
    city = gazetteer.city
    lats = [s.lat for s in placed] + ([city.lat] if city.lat is not None else [])
    lons = [s.lon for s in placed] + ([city.lon] if city.lon is not None else [])
    lat0 = (min(lats) + max(lats)) / 2
    km_per_deg_lon = 111.32 * math.cos(math.radians(lat0))
    west = min(lons) - PAD_X_KM / km_per_deg_lon
    east = max(lons) + PAD_X_KM / km_per_deg_lon
    south = min(lats) - PAD_Y_KM / KM_PER_DEG_LAT
    north = max(lats) + PAD_Y_KM / KM_PER_DEG_LAT
    width_km = (east - west) * km_per_deg_lon
    unit = WIDTH / width_km  # SVG units per kilometre, the same both ways (no distortion at this size)
    height = (north - south) * KM_PER_DEG_LAT * unit

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return round((lon - west) * km_per_deg_lon * unit, 1), round((north - lat) * KM_PER_DEG_LAT * unit, 1)

    centre_lon = city.lon if city.lon is not None else (min(lons) + max(lons)) / 2
    spots = [Point(s.name, *xy(s.lat, s.lon), label_left=s.lon < centre_lon) for s in placed]
    centre = (
        Point("弥勒市区", *xy(city.lat, city.lon)) if city.lat is not None and city.lon is not None else None
    )
    grid_x = [(xy(north, lon)[0], f"{lon:.1f}°E") for lon in _steps(west, east)]
    grid_y = [(xy(lat, west)[1], f"{lat:.1f}°N") for lat in _steps(south, north)]
    return MapLayout(
        width=WIDTH,
        height=round(height, 1),
        spots=spots,
        centre=centre,
        unplaced=[s.name for s in gazetteer.spots if s not in placed],
        grid_x=grid_x,
        grid_y=grid_y,
        scale_px=round(SCALE_KM * unit, 1),
    )


def _steps(low: float, high: float) -> list[float]:
    first = math.ceil(low / GRID_DEG)
    return [round(i * GRID_DEG, 1) for i in range(first, math.floor(high / GRID_DEG) + 1)]
