-- A payout of one, made when the owner marked a due commission paid (PUT /commissions/{id}): the
-- minimum payout does not apply to it, since the owner chose to pay that commission now.
ALTER TABLE payouts ADD COLUMN paid_alone boolean NOT NULL DEFAULT false;
