DROP DOMAIN positive;
