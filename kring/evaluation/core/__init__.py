"""Pure statistics for the evaluation stage: plain data in, plain data out, no Django.

Modules: ``proportions`` (Wilson intervals), ``competing_risks`` (Aalen–Johansen cumulative incidence on
discrete times), ``effects`` (treatment effects, balance, power), ``extract`` (reading CSV/Parquet extracts),
``cli`` (the command line), ``errors`` (refusal and warning codes).
"""
