"""The Dehejia–Wahba NSW sample (185 treated, 260 controls) as shipped by the causaldata package."""

from pathlib import Path

import causaldata
import pandas as pd

DATA = Path(causaldata.__file__).parent


def nsw() -> pd.DataFrame:
    return pd.read_stata(DATA / "nsw_mixtape" / "nsw_mixtape.dta")
