DROP TYPE IF EXISTS unused_pair;
