# interfaces stage
