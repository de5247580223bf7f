"""Special payment batches (特殊缴费单据): the assistance fund paying the subsidised part of each
enrolled assistance resident's premium, generated, pushed and marked paid."""
