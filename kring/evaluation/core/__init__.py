"""Pure statistics for the evaluation stage: plain data in, plain data out, no Django.

``proportions`` (Wilson intervals), ``competing_risks`` (Aalen–Johansen cumulative incidence on discrete
times), ``effects`` (treatment effects, balance, overlap, power), ``extract`` (reading CSV/Parquet extracts),
``cli`` (the command line) and ``errors`` (refusal and warning codes), beside the other pure modules here.
"""
